"""The PyTorch side of `scripts/bench.sh --with-pytorch`: the same training and Fisher workloads
as `bayes_renorm::bench` (MNIST's first 20,000 training images, batch 1000, m = 20 / 64 / 256;
a warm-up, then the best of 3; 2 threads), on the standard IDX files, and the ratio of each
figure to the browser's in target/bench.json.

Usage: python3 scripts/bench_pytorch.py target/bench.json [--smoke]
"""

import gzip
import json
import pathlib
import sys
import time

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
IDX = ROOT.parent / "shared" / "data" / "mnist" / "train-images-idx3-ubyte.gz"


def mnist_train_images():
    data = gzip.decompress(IDX.read_bytes())
    count, rows, cols = (int.from_bytes(data[i : i + 4], "big") for i in (4, 8, 12))
    pixels = torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8)
    return pixels.reshape(count, rows * cols).float() / 255.0


def best_of(rounds, setup, work):
    """The best time of `rounds` runs of work(setup()) after a warm-up, in milliseconds."""
    work(setup())
    times = []
    for _ in range(rounds):
        value = setup()
        start = time.perf_counter()
        work(value)
        times.append((time.perf_counter() - start) * 1e3)
    return min(times)


def model(latent):
    return torch.nn.Sequential(
        torch.nn.Linear(784, latent, bias=False),
        torch.nn.ReLU(),
        torch.nn.Linear(latent, 784, bias=False),
        torch.nn.ReLU(),
    )


def train_epoch(setup):
    net, optimiser, batches = setup
    for x in batches:
        optimiser.zero_grad()
        loss = torch.nn.functional.mse_loss(net(x), x)
        loss.backward()
        optimiser.step()


def training(images, latent, rounds):
    batches = images.split(1000)

    def setup():
        net = model(latent)
        return net, torch.optim.Adam(net.parameters(), lr=1e-3), batches

    ms = best_of(rounds, setup, train_epoch)
    per_second = len(images) / (ms / 1e3)
    return {"latent": latent, "examples_per_second": per_second, "gflops": per_second * 10 * 784 * latent / 1e9}


def fisher_seconds(images, rounds):
    """The closed-form regression Fisher's encoder and decoder diagonals (SPEC.md), batch 1000."""
    net = model(20)
    encoder, decoder = net[0].weight.detach(), net[2].weight.detach()
    decoder_squared = decoder * decoder

    def work(_):
        f_encoder = torch.zeros_like(encoder)
        f_decoder = torch.zeros_like(decoder)
        for x in images.split(1000):
            h = torch.relu(x @ encoder.T)
            q = (h @ decoder.T > 0).float()
            g = (q @ decoder_squared) * (h > 0).float()
            f_encoder += g.T @ (x * x)
            f_decoder += q.T @ (h * h)
        return f_encoder / len(images), f_decoder / len(images)

    return best_of(rounds, lambda: None, work) / 1e3


def main():
    report_path = pathlib.Path(sys.argv[1])
    smoke = "--smoke" in sys.argv[2:]
    report = json.loads(report_path.read_text())
    plan = report["plan"]
    torch.set_num_threads(2)
    images = mnist_train_images()
    train = images[: plan["train_examples"]]
    pytorch = {
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "training": [training(train, m, plan["rounds"]) for m in plan["latents"]],
        "fisher_examples": plan["fisher_examples"],
        "fisher_seconds": fisher_seconds(images[: plan["fisher_examples"]], plan["rounds"]),
    }
    report["pytorch"] = pytorch
    report_path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"PyTorch {pytorch['version']}, {pytorch['threads']} threads{' (smoke)' if smoke else ''}:")
    browser = {row["latent"]: row for row in report["browser"]["training"]}
    for row in pytorch["training"]:
        ratio = browser[row["latent"]]["examples_per_second"] / row["examples_per_second"]
        print(f"  training m = {row['latent']}: {row['examples_per_second']:,.0f} examples/s; browser / PyTorch = {ratio:.2f}")
    ratio = pytorch["fisher_seconds"] / report["browser"]["fisher_seconds"]
    print(f"  Fisher over {pytorch['fisher_examples']:,} images: {pytorch['fisher_seconds']:.3f} s; PyTorch time / browser time = {ratio:.2f}")
    # The page itself on its two pools: its training over the paper run against PyTorch's m = 20
    # epoch, its Fisher (over 60,000 images, as PyTorch's) against PyTorch's.
    m20 = next(row for row in pytorch["training"] if row["latent"] == 20)
    for name in ("page", "page_threads"):
        page = report[name]
        print(
            f"  the page, {page['workers']} workers, {page['pool']} pool: training "
            f"{page['training_examples_per_second'] / m20['examples_per_second']:.2f}x PyTorch's, "
            f"Fisher {pytorch['fisher_seconds'] / page['fisher_seconds']:.2f}x PyTorch's speed"
        )
    report["pytorch_ratios"] = {
        name: {
            "training": report[name]["training_examples_per_second"] / m20["examples_per_second"],
            "fisher_speed": pytorch["fisher_seconds"] / report[name]["fisher_seconds"],
        }
        for name in ("page", "page_threads")
    }
    report_path.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
