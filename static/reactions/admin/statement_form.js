"use strict";
// A statement's speaker belongs to its actor: the speaker autocomplete lists the speakers of
// the actor chosen beside it, and the "+" beside the speaker opens the new speaker with that
// actor already chosen. Works for the statement form and its inline rows on the launch form.
{
    const $ = django.jQuery;
    const SPEAKER = 'select[data-model-name="statement"][data-field-name="speaker"]';
    const ACTOR = 'select[data-model-name="statement"][data-field-name="actor"]';

    function actorBeside(speaker) {
        return document.getElementById(speaker.id.replace(/speaker$/, "actor"));
    }

    function carryActorIntoAddLink(actor) {
        const link = document.getElementById(
            "add_" + actor.id.replace(/actor$/, "speaker"),
        );
        if (!link) {
            return;
        }
        const href = new URL(link.href);
        if (actor.value) {
            href.searchParams.set("actor", actor.value);
        } else {
            href.searchParams.delete("actor");
        }
        link.href = href.toString();
    }

    // Select2 builds its request from `ajax.data`, set by Django's autocomplete.js; the
    // actor is added to what it sends, read when the list opens or the search changes.
    function sendActorWithSearch(speaker) {
        const select2 = $(speaker).data("select2");
        const ajax = select2 && select2.dataAdapter.ajaxOptions;
        if (!ajax || ajax.sendsActor) {
            return;
        }
        const data = ajax.data;
        ajax.data = function (params) {
            const actor = actorBeside(speaker);
            return { ...data.call(this, params), actor: actor ? actor.value : "" };
        };
        ajax.sendsActor = true;
    }

    $(document).on("select2:opening", SPEAKER, function () {
        sendActorWithSearch(this);
    });
    $(document).on("change", ACTOR, function () {
        carryActorIntoAddLink(this);
    });
    $(function () {
        $(ACTOR).not("[name*=__prefix__]").each(function () {
            carryActorIntoAddLink(this);
        });
    });
}
