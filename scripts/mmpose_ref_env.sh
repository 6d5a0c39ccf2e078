#!/usr/bin/env bash
# Builds a CPU-only Python environment with the reference MMPose 1.3.2 implementation
# (PyTorch 2.13 CPU, mmengine, mmcv-lite), for numeric parity checks against MMPose.
# Usage: bash scripts/mmpose_ref_env.sh [VENV_DIR]   (default: .mmpose-ref in the current folder)
# Then:  VENV_DIR/bin/python -c "from mmpose.apis import init_model"
# MMPose's configs are inside the package: VENV_DIR/lib/python3.11/site-packages/mmpose/.mim/configs
# Notes: mmcv-lite has no compiled ops, so two optional MMPose head families that need them
# (hybrid_heads, transformer_heads) are made optional, the unused torchvision import of
# MMPose's visualiser is satisfied by a stub, and mmcv's compiled-op module is stubbed so that
# mmdet's CSPNeXt (RTMPose) imports. Everything face_2d_keypoint needs works, RTMPose included.
set -euo pipefail
venv=${1:-.mmpose-ref}
py=${PYTHON:-python3}
if [[ ! -x $venv/bin/python ]]; then "$py" -m venv "$venv"; fi
pip() { "$venv/bin/python" -m pip -q --disable-pip-version-check "$@"; }
pip install --upgrade pip
pip install torch==2.13.0
pip install "numpy<2" "setuptools<70" mmengine==0.10.7 mmcv-lite==2.1.0 \
  "opencv-python-headless<4.11" json_tricks munkres xtcocotools scipy matplotlib pillow six tqdm \
  pycocotools shapely terminaltables
pip install --no-deps mmpose==1.3.2 mmdet==3.3.0
sp=$("$venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
heads=$sp/mmpose/models/heads/__init__.py
if ! grep -q "except ImportError" "$heads"; then
  "$venv/bin/python" - "$heads" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
for line, names in [("from .hybrid_heads import DEKRHead, RTMOHead, VisPredictHead", "DEKRHead = RTMOHead = VisPredictHead = None"),
                    ("from .transformer_heads import EDPoseHead", "EDPoseHead = None")]:
    s = s.replace(line, f"try:\n    {line}\nexcept ImportError:\n    {names}")
open(p, "w").write(s)
PY
fi
if ! "$venv/bin/python" -c "import torchvision" 2>/dev/null; then
  mkdir -p "$sp/torchvision/transforms"
  : > "$sp/torchvision/__init__.py"
  echo "ToPILImage = None  # stub: MMPose's visualiser imports it; nothing here uses it" > "$sp/torchvision/transforms/__init__.py"
fi
# RTMPose's CSPNeXt backbone is registered by mmdet, whose import pulls mmcv's compiled ops (mmcv._ext).
# mmcv-lite has none; face models never call them, so a stub makes the names exist and raises if one is called.
if [[ ! -f $sp/mmcv/_ext.py ]]; then
  cat > "$sp/mmcv/_ext.py" <<'STUB'
"""Stub for mmcv's compiled ops, absent from mmcv-lite: importing mmdet needs the names to exist; calling one raises."""
def __getattr__(name):
    def _missing(*args, **kwargs):
        raise NotImplementedError(f"mmcv compiled op {name!r} is not available in mmcv-lite")
    return _missing
STUB
fi
"$venv/bin/python" -c "
from mmpose.apis import init_model
import mmpose, torch
print('mmpose', mmpose.__version__, 'torch', torch.__version__, 'ready')"
echo "configs: $sp/mmpose/.mim/configs"
