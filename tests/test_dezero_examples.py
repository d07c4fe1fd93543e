"""The third book's examples (spiral, mnist, tanh, gan, vae), each written as a learner types
its essential steps with only ``dezero`` imports, on shortened settings (few iterations,
small subsets): they run, and they learn. The MNIST ones need MNIST_DIR."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

import dezero
import dezero.functions as F
import dezero.layers as L
from dezero import DataLoader, Model, Variable, optimizers
from dezero.models import MLP, Sequential
from dezero.utils import get_dot_graph, plot_dot_graph

needs_mnist = pytest.mark.skipif(not os.environ.get("MNIST_DIR"), reason="needs MNIST_DIR")


def small_mnist(n: int, train: bool = True, transform=None):
    """The first ``n`` digits of MNIST (the learner's way of taking a subset: cut the
    arrays that ``prepare()`` filled)."""
    kwargs = {} if transform is None else {"transform": transform}
    data = dezero.datasets.MNIST(train=train, **kwargs)
    data.data, data.label = data.data[:n], data.label[:n]
    return data


def params_of(model: Model) -> dict[int, np.ndarray]:
    """A copy of every parameter's values, by the parameter's identity."""
    return {id(p): p.data.copy() for p in model.params()}


def all_changed(model: Model, before: dict[int, np.ndarray]) -> bool:
    return all(not np.array_equal(p.data, before[id(p)]) for p in model.params())


# --- spiral: a two-layer net with batch normalisation, SGD, DataLoader ------------------


class SpiralNet(Model):
    """The spiral example's net: linear, batch norm, sigmoid, linear."""

    def __init__(self, hidden_size: int, out_size: int) -> None:
        super().__init__()
        self.l1 = L.Linear(hidden_size)
        self.bn1 = L.BatchNorm()
        self.l2 = L.Linear(out_size)

    def forward(self, x):
        return self.l2(F.sigmoid(self.bn1(self.l1(x))))


def test_spiral_example():
    max_epoch, batch_size, hidden_size, lr = 60, 30, 10, 1.0  # the example: 300 epochs
    train_set = dezero.datasets.Spiral(train=True)
    test_set = dezero.datasets.Spiral(train=False)
    np.random.seed(0)
    train_loader = DataLoader(train_set, batch_size)
    model = SpiralNet(hidden_size, 3)
    optimizer = optimizers.SGD(lr).setup(model)

    epoch_losses = []
    for _ in range(max_epoch):
        sum_loss = 0.0
        for x, t in train_loader:
            y = model(x)
            loss = F.softmax_cross_entropy(y, t)
            model.cleargrads()
            loss.backward()
            optimizer.update()
            sum_loss += float(loss.data) * len(t)
        epoch_losses.append(sum_loss / len(train_set))
    assert all(np.isfinite(epoch_losses))
    assert epoch_losses[-1] < 0.6 * epoch_losses[0]

    # the example's way: stack the samples, score them in test mode (batch norm's running
    # averages), take the arg-max class
    x = np.array([example[0] for example in train_set])
    t = np.array([example[1] for example in train_set])
    with dezero.test_mode():
        score = model(x)
    predict_cls = np.argmax(score.data, axis=1)
    train_acc = float((predict_cls == t).mean())
    assert train_acc == pytest.approx(float(F.accuracy(score, t).data))
    assert train_acc > 0.85  # chance is 1/3

    test_x = np.array([example[0] for example in test_set])
    test_t = np.array([example[1] for example in test_set])
    with dezero.test_mode():
        test_acc = float((np.argmax(model(test_x).data, axis=1) == test_t).mean())
    assert test_acc > 0.8

    # the decision regions the example draws, on a coarse grid
    h = 0.05
    xx, yy = np.meshgrid(np.arange(x[:, 0].min() - 0.1, x[:, 0].max() + 0.1, h),
                         np.arange(x[:, 1].min() - 0.1, x[:, 1].max() + 0.1, h))
    with dezero.test_mode():
        grid_score = model(np.c_[xx.ravel(), yy.ravel()])
    regions = np.argmax(grid_score.data, axis=1).reshape(xx.shape)
    assert regions.shape == xx.shape and set(np.unique(regions)) == {0, 1, 2}


# --- mnist: MLP with relu, Adam and weight decay ------------------------------------------


@needs_mnist
def test_mnist_example():
    max_epoch, batch_size, hidden_size = 4, 100, 100  # the example: 5 epochs, hidden 1000
    train_set = small_mnist(1000)
    test_set = small_mnist(500, train=False)
    np.random.seed(0)
    train_loader = DataLoader(train_set, batch_size)
    test_loader = DataLoader(test_set, batch_size, shuffle=False)

    model = MLP((hidden_size, hidden_size, 10), activation=F.relu)
    optimizer = optimizers.Adam().setup(model)
    optimizer.add_hook(optimizers.WeightDecay(1e-4))

    history = []
    for _ in range(max_epoch):
        sum_loss, sum_acc = 0.0, 0.0
        for x, t in train_loader:
            y = model(x)
            loss = F.softmax_cross_entropy(y, t)
            acc = F.accuracy(y, t)
            model.cleargrads()
            loss.backward()
            optimizer.update()
            sum_loss += float(loss.data) * len(t)
            sum_acc += float(acc.data) * len(t)
        train_loss, train_acc = sum_loss / len(train_set), sum_acc / len(train_set)

        sum_loss, sum_acc = 0.0, 0.0
        with dezero.no_grad():
            for x, t in test_loader:
                y = model(x)
                sum_loss += float(F.softmax_cross_entropy(y, t).data) * len(t)
                sum_acc += float(F.accuracy(y, t).data) * len(t)
        history.append((train_loss, train_acc, sum_loss / len(test_set),
                        sum_acc / len(test_set)))

    assert np.all(np.isfinite(history))
    assert [layer.W.shape for layer in model.layers] == [(784, 100), (100, 100), (100, 10)]
    train_losses = [h[0] for h in history]
    assert train_losses == sorted(train_losses, reverse=True)
    assert history[-1][2] < history[0][2]
    assert history[-1][3] > 0.75  # chance is 0.1


# --- tanh: higher-order derivatives and the graph of the n-th ---------------------------


def tanh_derivatives(x: float, n: int) -> list[float]:
    """tanh and its first n derivatives at x, from the polynomials in t = tanh(x):
    p₀(t) = t, pₖ₊₁(t) = pₖ'(t) (1 - t²)."""
    poly = np.polynomial.Polynomial([0.0, 1.0])
    one_minus_t2 = np.polynomial.Polynomial([1.0, 0.0, -1.0])
    t, values = np.tanh(x), []
    for _ in range(n + 1):
        values.append(float(poly(t)))
        poly = poly.deriv() * one_minus_t2
    return values


def test_tanh_example(tmp_path):
    x = Variable(np.array(1.0))
    y = F.tanh(x)
    x.name, y.name = "x", "y"
    y.backward(create_graph=True)

    iters = 3  # the 4th derivative, as the example draws
    expected = tanh_derivatives(1.0, iters + 1)
    assert float(y.data) == pytest.approx(expected[0], rel=1e-12)
    assert float(x.grad.data) == pytest.approx(expected[1], rel=1e-12)
    sizes = []
    for i in range(iters):
        gx = x.grad
        x.cleargrad()
        gx.backward(create_graph=True)
        assert float(x.grad.data) == pytest.approx(expected[i + 2], rel=1e-10)
        sizes.append(get_dot_graph(x.grad, verbose=False).count("shape=box"))
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]  # each graph grows

    gx = x.grad
    gx.name = "gx" + str(iters + 1)
    assert shutil.which("dot"), "Graphviz's dot is needed to draw the graph"
    to_file = tmp_path / "tanh.png"
    plot_dot_graph(gx, verbose=False, to_file=str(to_file))
    assert to_file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    dot_text = (tmp_path / "tanh.dot").read_text()
    assert dot_text.startswith("digraph g {") and dot_text.rstrip().endswith("}")
    assert dot_text == get_dot_graph(gx, verbose=False)
    assert 'label="gx4"' in dot_text and 'label="x"' in dot_text
    # the functions of tanh's derivatives: tanh itself, then products and differences
    for name in ("Tanh", "Mul", "Sub"):
        assert f'label="{name}"' in dot_text, name
    assert dot_text.count("shape=box") == sizes[-1] > 10


# --- gan: a DCGAN-style generator and discriminator ---------------------------------------


def make_generator(fc_channel: int = 128, fc_size: int = 7) -> Sequential:
    """Noise -> (N, 1, 28, 28) images in (0, 1): linear + batch norm + relu twice, reshape,
    two transposed convolutions that double the size (7 -> 14 -> 28), sigmoid."""
    return Sequential(
        L.Linear(1024), L.BatchNorm(), F.relu,
        L.Linear(fc_channel * fc_size * fc_size), L.BatchNorm(), F.relu,
        lambda x: F.reshape(x, (-1, fc_channel, fc_size, fc_size)),
        L.Deconv2d(fc_channel // 2, kernel_size=4, stride=2, pad=1), L.BatchNorm(), F.relu,
        L.Deconv2d(1, kernel_size=4, stride=2, pad=1), F.sigmoid,
    )


def make_discriminator() -> Sequential:
    """Images -> one logit each: two strided convolutions (28 -> 14 -> 7) with leaky relu and
    batch norm, flatten, linear + batch norm + leaky relu, linear."""
    return Sequential(
        L.Conv2d(64, kernel_size=4, stride=2, pad=1), F.leaky_relu,
        L.Conv2d(128, kernel_size=4, stride=2, pad=1), L.BatchNorm(), F.leaky_relu,
        F.flatten,
        L.Linear(1024), L.BatchNorm(), F.leaky_relu,
        L.Linear(1),
    )


@needs_mnist
def test_gan_example():
    np.random.seed(0)
    batch_size, hidden_size, iters = 16, 62, 2  # the example: 128, 62, 5 epochs
    gen, dis = make_generator(), make_discriminator()

    # the example's initialisation: one dummy pass creates the weights, then N(0, 0.02²)
    dis(gen(np.random.rand(1, hidden_size)))
    for layer in dis.layers + gen.layers:
        if type(layer).__name__.lower() in ("conv2d", "linear", "deconv2d"):
            layer.W.data = 0.02 * np.random.randn(*layer.W.data.shape)

    opt_g = optimizers.Adam(alpha=0.0002, beta1=0.5).setup(gen)
    opt_d = optimizers.Adam(alpha=0.0002, beta1=0.5).setup(dis)
    gen_before, dis_before = params_of(gen), params_of(dis)

    def transform(x):
        return (x / 255.0).astype(np.float32)

    train_set = small_mnist(batch_size * iters, transform=transform)
    train_loader = DataLoader(train_set, batch_size)
    label_real = np.ones(batch_size).astype(int)
    label_fake = np.zeros(batch_size).astype(int)

    for x, _ in train_loader:
        assert x.shape == (batch_size, 1, 28, 28) and x.dtype == np.float32
        # (1) the discriminator: real images are 1, generated ones 0
        z = np.random.randn(batch_size, hidden_size).astype(np.float32)
        fake = gen(z)
        assert fake.shape == (batch_size, 1, 28, 28)
        assert np.all((fake.data > 0) & (fake.data < 1))
        y_real, y_fake = dis(x), dis(fake.data)
        assert y_real.shape == y_fake.shape == (batch_size, 1)
        loss_d = (F.sigmoid_cross_entropy(y_real, label_real)
                  + F.sigmoid_cross_entropy(y_fake, label_fake))
        gen.cleargrads()
        dis.cleargrads()
        loss_d.backward()
        assert all(p.grad is None for p in gen.params())  # fake.data cut the generator off
        opt_d.update()

        # (2) the generator: make the discriminator say 1 for its images
        y_fake = dis(fake)
        loss_g = F.sigmoid_cross_entropy(y_fake, label_real)
        gen.cleargrads()
        dis.cleargrads()
        loss_g.backward()
        opt_g.update()

        assert np.isfinite(float(loss_d.data)) and np.isfinite(float(loss_g.data))
        # the final example's form: probabilities then binary cross-entropy, the same loss
        assert float(F.binary_cross_entropy(F.sigmoid(y_fake), label_real).data) \
            == pytest.approx(float(loss_g.data), rel=1e-4)

    assert all_changed(gen, gen_before) and all_changed(dis, dis_before)
    with dezero.test_mode():  # generate_image: batch norm's running averages
        images = gen(np.random.randn(25, hidden_size).astype(np.float32))
    assert images.shape == (25, 1, 28, 28) and np.all(np.isfinite(images.data))


# --- vae: a convolutional variational autoencoder -------------------------------------------


class Encoder(Model):
    """Image -> mean and log-variance of the latent code."""

    def __init__(self, latent_size: int) -> None:
        super().__init__()
        self.latent_size = latent_size
        self.conv1 = L.Conv2d(32, kernel_size=3, stride=1, pad=1)
        self.conv2 = L.Conv2d(64, kernel_size=3, stride=2, pad=1)  # 28 -> 14
        self.conv3 = L.Conv2d(64, kernel_size=3, stride=1, pad=1)
        self.conv4 = L.Conv2d(64, kernel_size=3, stride=1, pad=1)
        self.linear1 = L.Linear(32)
        self.linear2 = L.Linear(latent_size)
        self.linear3 = L.Linear(latent_size)

    def forward(self, x):
        for conv in (self.conv1, self.conv2, self.conv3, self.conv4):
            x = F.relu(conv(x))
        x = F.relu(self.linear1(F.flatten(x)))
        return self.linear2(x), self.linear3(x)

    def sampling(self, z_mean, z_log_var):
        """The reparameterisation: z = μ + σ ε with σ = exp(log σ² / 2), ε ~ N(0, 1) (the
        book's example multiplies by exp(log σ²), i.e. σ²; the standard form is σ)."""
        xp = dezero.cuda.get_array_module(z_mean.data)
        epsilon = xp.random.randn(len(z_mean), self.latent_size).astype(z_mean.dtype)
        return z_mean + F.exp(0.5 * z_log_var) * epsilon


class Decoder(Model):
    """Latent code -> image probabilities: linear to (64, 14, 14), a transposed convolution
    to 28 × 28, a convolution to one channel, sigmoid."""

    def __init__(self) -> None:
        super().__init__()
        self.to_shape = (64, 14, 14)
        self.linear = L.Linear(int(np.prod(self.to_shape)))
        self.deconv = L.Deconv2d(32, kernel_size=4, stride=2, pad=1)
        self.conv = L.Conv2d(1, kernel_size=3, stride=1, pad=1)

    def forward(self, z):
        x = F.relu(self.linear(z))
        x = F.reshape(x, (-1,) + self.to_shape)
        x = F.relu(self.deconv(x))
        return F.sigmoid(self.conv(x))


class VAE(Model):
    """Its call is the loss, −ELBO: reconstruction (binary cross-entropy summed over the
    pixels, averaged over the batch) + KL(q(z|x) ‖ N(0, 1))."""

    def __init__(self, latent_size: int) -> None:
        super().__init__()
        self.encoder = Encoder(latent_size)
        self.decoder = Decoder()

    def parts(self, x):
        z_mean, z_log_var = self.encoder(x)
        z = self.encoder.sampling(z_mean, z_log_var)
        y = self.decoder(z)
        rec_loss = F.binary_cross_entropy(F.flatten(y), F.flatten(x))
        kl_loss = F.sum(z_mean ** 2 + F.exp(z_log_var) - z_log_var - 1) * 0.5 / len(x)
        return z_mean, z_log_var, y, rec_loss, kl_loss

    def forward(self, x):
        *_, rec_loss, kl_loss = self.parts(x)
        return rec_loss + kl_loss


@needs_mnist
def test_vae_example():
    np.random.seed(0)
    batch_size, latent_size, steps = 16, 2, 12  # the example: 10 epochs of 60,000 images

    def transform(x):
        return (x / 255.0).astype(np.float32)

    train_set = small_mnist(batch_size * 2, transform=transform)
    train_loader = DataLoader(train_set, batch_size)
    vae = VAE(latent_size)
    optimizer = optimizers.Adam().setup(vae)

    # shapes and pieces of the loss, on a first batch
    x, _ = train_loader.next()
    z_mean, z_log_var, y, rec_loss, kl_loss = vae.parts(x)
    assert z_mean.shape == z_log_var.shape == (batch_size, latent_size)
    assert y.shape == x.shape == (batch_size, 1, 28, 28)
    assert np.all((y.data > 0) & (y.data < 1))
    flat_y, flat_x = y.data.reshape(batch_size, -1), x.reshape(batch_size, -1)
    by_hand = -np.sum(flat_x * np.log(flat_y) + (1 - flat_x) * np.log(1 - flat_y)) / batch_size
    assert float(rec_loss.data) == pytest.approx(by_hand, rel=1e-4)
    assert float(kl_loss.data) >= 0

    def fixed_loss() -> float:
        """The loss on the whole subset with the same ε each time."""
        np.random.seed(123)
        with dezero.no_grad():
            return float(vae(train_set.get_batch(np.arange(len(train_set)))[0]).data)

    start = fixed_loss()
    losses = []
    while len(losses) < steps:
        for x, _ in train_loader:
            loss = vae(x)
            vae.cleargrads()
            loss.backward()
            optimizer.update()
            losses.append(float(loss.data))
    assert np.all(np.isfinite(losses))
    end = fixed_loss()
    assert end < 0.8 * start

    with dezero.no_grad():  # show_digits: decode points of the latent plane
        digits = vae.decoder(np.array([[-1.0, 0.5], [0.0, 0.0], [1.5, -1.0]], np.float32))
    assert digits.shape == (3, 1, 28, 28) and np.all((digits.data > 0) & (digits.data < 1))
