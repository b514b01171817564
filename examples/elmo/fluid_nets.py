"""PaddleHub 1.x's ELMo demo network code in its original fluid style, run through
``paddlehub_lite.compat.fluid`` (only the import differs from 1.x). ``elmo_finetune.py
--fluid_nets True`` uses it instead of ``paddlehub_lite/nets.py``'s native nets; the tests run
it as a 1.x script would.
"""
import paddlehub_lite.compat.fluid as fluid


def bow_net(program, input_feature, hid_dim=128, hid_dim2=96):
    bow = fluid.layers.sequence_pool(input=input_feature, pool_type='sum')
    bow_tanh = fluid.layers.tanh(bow)
    fc_1 = fluid.layers.fc(input=bow_tanh, size=hid_dim, act="tanh")
    fc = fluid.layers.fc(input=fc_1, size=hid_dim2, act="tanh")
    return fc


def cnn_net(program, input_feature, win_size=3, hid_dim=128, hid_dim2=96):
    conv_3 = fluid.nets.sequence_conv_pool(
        input=input_feature, num_filters=hid_dim, filter_size=win_size, act="relu",
        pool_type="max")
    fc = fluid.layers.fc(input=conv_3, size=hid_dim2)
    return fc


def gru_net(program, input_feature, hid_dim=128, hid_dim2=96):
    fc0 = fluid.layers.fc(input=input_feature, size=hid_dim * 3)
    gru_h = fluid.layers.dynamic_gru(input=fc0, size=hid_dim, is_reverse=False)
    gru_max = fluid.layers.sequence_pool(input=gru_h, pool_type='max')
    gru_max_tanh = fluid.layers.tanh(gru_max)
    fc1 = fluid.layers.fc(input=gru_max_tanh, size=hid_dim2, act='tanh')
    return fc1


def lstm_net(program, input_feature, hid_dim=128, hid_dim2=96):
    fc0 = fluid.layers.fc(input=input_feature, size=hid_dim * 4)
    lstm_h, c = fluid.layers.dynamic_lstm(input=fc0, size=hid_dim * 4, is_reverse=False,
                                          use_peepholes=False)
    lstm_max = fluid.layers.sequence_pool(input=lstm_h, pool_type='max')
    lstm_max_tanh = fluid.layers.tanh(lstm_max)
    fc1 = fluid.layers.fc(input=lstm_max_tanh, size=hid_dim2, act='tanh')
    return fc1


def bilstm_net(program, input_feature, hid_dim=128, hid_dim2=96):
    fc0 = fluid.layers.fc(input=input_feature, size=hid_dim * 4)
    rfc0 = fluid.layers.fc(input=input_feature, size=hid_dim * 4)
    lstm_h, c = fluid.layers.dynamic_lstm(input=fc0, size=hid_dim * 4, is_reverse=False,
                                          use_peepholes=False)
    rlstm_h, c = fluid.layers.dynamic_lstm(input=rfc0, size=hid_dim * 4, is_reverse=True,
                                           use_peepholes=False)
    lstm_last = fluid.layers.sequence_last_step(input=lstm_h)
    rlstm_last = fluid.layers.sequence_last_step(input=rlstm_h)
    lstm_last_tanh = fluid.layers.tanh(lstm_last)      # noqa: F841 (computed, unused: as 1.x)
    rlstm_last_tanh = fluid.layers.tanh(rlstm_last)    # noqa: F841
    lstm_concat = fluid.layers.concat(input=[lstm_last, rlstm_last], axis=1)
    fc = fluid.layers.fc(input=lstm_concat, size=hid_dim2, act='tanh')
    return fc


def elmo_and_word_embedding(word_ids, elmo_embedding, word_dict_len, word_embed_dims=128):
    """Step 3 of the 1.x demo: a trainable word embedding (learning rate x30) beside ELMo."""
    word_embedding = fluid.layers.embedding(
        input=word_ids,
        size=[word_dict_len, word_embed_dims],
        param_attr=fluid.ParamAttr(
            learning_rate=30,
            initializer=fluid.initializer.Uniform(low=-0.1, high=0.1)))
    return fluid.layers.concat(input=[elmo_embedding, word_embedding], axis=1)


NETS = {"bow": bow_net, "cnn": cnn_net, "gru": gru_net, "lstm": lstm_net,
        "bilstm": bilstm_net}
