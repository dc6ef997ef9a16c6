from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = "Timeline"

    def ready(self):
        from editorial import services as editorial
        from editorial.signals import record_saved

        from . import services
        from .models import Launch, LaunchClaim, Source

        for finder in services.SOURCE_SHOWN_BY:
            editorial.shown_by(Source, finder)
        editorial.guarded_by(LaunchClaim, services.claim_guardians)
        editorial.restores_with(Launch, services.launch_children_restore)
        editorial.announced_through(LaunchClaim, services.claim_launches, "claims")
        record_saved.connect(
            services.suggest_triggers_for_new_launch,
            sender=Launch,
            dispatch_uid="timeline-suggest-triggers",
        )
