"""Readers of raw face-landmark annotation formats (no TensorFlow needed).

Each reader yields plain ``dict`` records whose field names are the feature
names the TFDS builders in ``tfds_builders/`` store:

* ``key`` (str): deterministic, unique within one split.
* ``image_path`` (str): absolute path of the image file, or ``None`` when the
  record carries ``image_bytes`` (COFW's ``.mat`` files hold pixels, not files).
* ``image/filename`` (str): the image's name as the annotation spells it.
* ``keypoints``: ``(K, 2)`` float32, ``(x, y)`` in original-image pixels,
  0-based (the centre of the top-left pixel is ``(0, 0)``).
* ``visibility``: ``(K,)`` float32, MMPose's ``keypoints_visible``
  (``min(1, v)`` for COCO-style files).
* ``bbox``: ``(4,)`` float32 face box ``(x1, y1, x2, y2)`` in pixels, as MMPose
  derives it for that dataset (see each reader).
* ``center``: ``(2,)`` float32 pixels and ``scale``: float32 in units of 200 px
  (MMPose's ``bbox_scale = scale * 200``), or NaN where the format has none.
* dataset-specific fields (WFLW attributes, COFW ``occluded``, AFLW
  ``box_size``).

Modules: :mod:`mmpose_coco` (MMPose's COCO-style JSON), :mod:`wflw_txt`,
:mod:`ibug_pts`, :mod:`hrnet_csv`, :mod:`cofw_mat`, :mod:`aflw_mat`,
:mod:`image_io` (read and verify image files).
"""
