"use strict";
// The admin's autocompletes (Select2) name none of the controls they draw: the combobox is
// labelled by its current choice alone (nothing when empty), the search field of a many-valued
// one by nothing, and its "remove all" cross sits in the list of choices. Each control is
// named here by the field's own label ("Actor: Russia"), and the cross, which only a mouse
// can use, is hidden from assistive technology. Select2 redraws a selection on each change,
// so the names are given again whenever the page changes.
{
    function labelOf(select) {
        const label = select.id && document.querySelector(`label[for="${select.id}"]`);
        if (!label) {
            return null;
        }
        if (!label.id) {
            label.id = `${select.id}-label`;
        }
        return label;
    }

    function name(select) {
        const label = labelOf(select);
        const container = select.nextElementSibling;
        if (!label || !container || !container.classList.contains("select2")) {
            return;
        }
        const text = label.textContent.replace(/:\s*$/, "").trim();
        for (const box of container.querySelectorAll(".select2-selection[role=combobox]")) {
            const rendered = box.querySelector(".select2-selection__rendered[id]");
            const ids = rendered ? `${label.id} ${rendered.id}` : label.id;
            if (box.getAttribute("aria-labelledby") !== ids) {
                box.setAttribute("aria-labelledby", ids);
            }
        }
        for (const shown of container.querySelectorAll(".select2-selection__rendered[role]")) {
            if (shown.getAttribute("aria-label") !== text) {
                shown.setAttribute("aria-label", text);
            }
        }
        for (const field of container.querySelectorAll(".select2-search__field")) {
            if (field.getAttribute("aria-label") !== text) {
                field.setAttribute("aria-label", text);
            }
        }
        for (const cross of container.querySelectorAll(".select2-selection__clear")) {
            if (!cross.hasAttribute("aria-hidden")) {
                cross.setAttribute("aria-hidden", "true");
            }
        }
    }

    function nameAll() {
        document.querySelectorAll("select.admin-autocomplete").forEach(name);
    }

    let pending = false;
    function soon() {
        if (!pending) {
            pending = true;
            window.requestAnimationFrame(() => {
                pending = false;
                nameAll();
            });
        }
    }

    document.addEventListener("DOMContentLoaded", () => {
        nameAll();
        new MutationObserver(soon).observe(document.body, { childList: true, subtree: true });
    });
}
