"use strict";
// Swagger UI draws the fields of "Try it out" without labels: each is named here by its
// parameter ("page_size"), and each body editor by what it holds. Swagger UI redraws as
// operations open, so the names are given again whenever the page changes.
{
    function nameFields() {
        for (const row of document.querySelectorAll("tr[data-param-name]")) {
            const name = row.getAttribute("data-param-name");
            for (const field of row.querySelectorAll("input, select, textarea")) {
                if (!field.hasAttribute("aria-label")) {
                    field.setAttribute("aria-label", name);
                }
            }
        }
        for (const editor of document.querySelectorAll(".body-param textarea")) {
            if (!editor.hasAttribute("aria-label")) {
                editor.setAttribute("aria-label", "Request body");
            }
        }
        for (const select of document.querySelectorAll(".content-type, .body-param-content-type select")) {
            if (!select.hasAttribute("aria-label")) {
                select.setAttribute("aria-label", "Media type");
            }
        }
    }

    let pending = false;
    new MutationObserver(() => {
        if (!pending) {
            pending = true;
            window.requestAnimationFrame(() => {
                pending = false;
                nameFields();
            });
        }
    }).observe(document.getElementById("swagger-ui"), { childList: true, subtree: true });
}
