"""The one door to a year's results: run, render and verify (called by the CLI and the portal).

Nothing below this package imports it; nothing of it lives in ``cli/`` or the web layer.
"""

from scoring.pipeline.inputs import YearFiles, load_year_files
from scoring.pipeline.manifest import MANIFEST_FILE, Manifest, read_manifest
from scoring.pipeline.preview import preview_scores
from scoring.pipeline.render import RenderResult, load_scores, render_results
from scoring.pipeline.run import (
    PipelineRequest,
    PipelineResult,
    Progress,
    previous_results_file,
    run_pipeline,
)
from scoring.pipeline.staging import Interrupted
from scoring.pipeline.verify import Verification, verify

__all__ = [
    "MANIFEST_FILE", "Interrupted", "Manifest", "PipelineRequest", "PipelineResult", "Progress",
    "RenderResult", "Verification", "YearFiles", "load_scores", "load_year_files", "preview_scores",
    "previous_results_file", "read_manifest", "render_results", "run_pipeline", "verify",
]
