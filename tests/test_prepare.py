"""A web worker builds at its start what its first requests would otherwise wait on."""

from django.template import engines

from core.prepare import prepare_process
from core.schema import query_parameters


def test_a_worker_starts_with_its_urls_api_parameters_and_templates_built(settings):
    query_parameters.cache_clear()
    engine = engines["django"].engine
    engine.template_loaders[0].reset()
    prepare_process()
    assert query_parameters.cache_info().currsize == 1
    assert "LaunchViewSet" in {getattr(view, "cls", view).__name__ for view in query_parameters()}
    compiled = engine.template_loaders[0].get_template_cache
    assert "timeline/includes/_launch_body.html" in compiled
    assert "base.html" in compiled
