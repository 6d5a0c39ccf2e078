"""TFDS builders of keras_facelm, one package per dataset (``tfds new`` layout).

Import a dataset's package to register its builder with TFDS, e.g.
``import tfds_builders.synthetic_faces`` and then ``tfds.load("synthetic_faces")``,
or build from the command line with ``tfds build tfds_builders/<dataset>``.
"""
