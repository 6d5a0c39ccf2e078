"""``python -m keras_facelm`` is the ``keras-facelm`` command."""

from keras_facelm.cli import main

main()
