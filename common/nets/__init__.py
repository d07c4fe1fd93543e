"""Networks: layers stacked in an ``OrderedDict``, forward in order, backward in reverse.

- ``parameters``: ``LayeredModel``, the base of ``Network`` and ``EncoderDecoder``: params
  that are the layers' own arrays (``ParamDict``), their gradients after backward,
  numerical_gradient and float64 twins, the state dict, parameter count;
- ``files``: a model's parameters saved to a file and loaded back, checked (``save_params``,
  ``load_params``; ``ParameterFiles``, the book's methods of them);
- ``network``: ``Network``, any stack of layers with a loss layer on top (predict, loss,
  accuracy, forward and backward, gradient; the rest from ``LayeredModel``);
- ``list_model``: ``ListModel``, the second book's ``BaseModel``: a model whose weights
  and gradients are lists gathered from its layers, with save/load; ``ListView``, any
  such model with its arrays named, each once (``merge_duplicates``); ``book_network``:
  ``BookNetwork``, a first book's network (trained by ``gradient``) seen the same way;
- ``summary``: ``summary(net)``, a network in one table (output shapes, parameter counts);
- ``multi_layer``: the book's ``MultiLayerNet`` and ``TwoLayerNet``; ``multi_layer_extend``:
  its ``MultiLayerNetExtend`` (batch normalisation and dropout);
- ``conv``: ``SimpleConvNet`` and ``DeepConvNet`` of the book's chapters 7 and 8;
- ``gpt``: ``GPT``, a small Transformer language model;
- ``circuit``: the sigmoid neuron as a circuit of gate layers;
- ``small``: OneNet and TwoNet of the logic gates, the 2-H-2 sigmoid network of the
  two circles;
- ``word2vec``: ``SimpleCBOW``, ``CBOW`` and ``SkipGram`` (negative sampling);
- ``rnnlm``: ``RnnlmBase``, what the recurrent language models share, and ``Rnnlm``
  (an LSTM); ``simple_rnnlm``: ``SimpleRnnlm`` (a simple RNN); ``better_rnnlm``:
  ``BetterRnnlm`` (two LSTMs, dropout, weight tying); ``perplexity``: a corpus of word
  ids checked, ``eval_perplexity`` and ``mean_loss`` (over fixed windows);
- ``encoder_decoder``: the frame of an encoder and a decoder trained as one model;
  ``seq2seq``: ``Seq2seq`` and ``PeekySeq2seq``; ``seq2seq_answers``: greedy answers and
  their exact-match accuracy (the book's ``eval_seq2seq``); ``attention_seq2seq``:
  ``AttentionSeq2seq``.

Imports: ``common.layers``, ``common.checks``, ``common.functions`` and the foundations
(``validation``, ``fileio``, ``util``, ``memory``); never ``common.training`` or ``plots``.
"""
