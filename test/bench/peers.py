"""Peer timings for `npm run bench:peers` (driven by test/bench/peers.ts).

Reads the MNIST rows, labels and weights that peers.ts wrote (raw little-endian
float64 / int32 files and a manifest.json), and for each case (softmax 784->10 and
the tanh MLP 784-256-10, b in {256, 4096}, float64 and float32) times:

  closed   closed-form batch statistics in PyTorch: one forward, the backward
           deltas by hand, then ||g_i||^2 = ||a_i||^2 ||d_i||^2, <g_i, gbar> =
           a_i^T Gbar d_i and sum_i g_i*g_i = (A*A)^T (D*D) per linear block
  vmap     torch.func.vmap(grad) per-sample gradients in chunks of 256 samples,
           statistics summed over the chunks (gbar from autograd first)
  backpack BackPACK's BatchGrad in chunks, if the package is installed
  mean     the mean gradient only, torch autograd

and prints one JSON object: per case and method the median wall time (ms) and
the values ||gbar||^2, S_norm, S_ip, S_orth, sum_j S_j, for peers.ts to compare
with ours and print side by side.
"""
import json
import os
import statistics
import sys
import time

import torch

CHUNK = 256


def load(dirname, name, dtype, shape):
    t = torch.frombuffer(bytearray(open(os.path.join(dirname, name), "rb").read()), dtype=dtype)
    return t.reshape(shape)


def timed(fn, warmup, reps, warmup_s=0.0):
    """Median ms of `reps` calls after at least `warmup` calls and `warmup_s` seconds of them."""
    t_start = time.perf_counter()
    done = 0
    while done < warmup or time.perf_counter() - t_start < warmup_s:
        fn()
        done += 1
    times = []
    out = None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def finish(b, gns, sum_sq, sum_dot, sum_dot2, coord_sum_sq_dev):
    """The five statistics from raw sums (float64 python numbers).

    sum_sq = sum ||g_i||^2, sum_dot = sum <g_i, gbar>, sum_dot2 = sum <g_i, gbar>^2,
    coord_sum_sq_dev = sum_j sum_i (g_ij - gbar_j)^2 from the coordinate route.
    """
    sum_sq_dev = sum_sq - 2 * sum_dot + b * gns
    # sum (<g_i, gbar> - gns)^2
    ip = sum_dot2 - 2 * gns * sum_dot + b * gns * gns
    return {
        "gradNormSq": gns,
        "S_norm": sum_sq_dev / (b - 1),
        "S_ip": ip / (b - 1),
        "S_orth": (sum_sq_dev - ip / gns) / (b - 1),
        "sum_S_j": coord_sum_sq_dev / (b - 1),
    }


def linear_block(a, d, gbar):
    """Per-sample statistics of g_i = a_i d_i^T (+ its bias d_i) with mean gbar = (W, bias)."""
    gw, gb = gbar
    sq = (a * a).sum(1) * (d * d).sum(1) + (d * d).sum(1)
    dots = ((a @ gw) * d).sum(1) + d @ gb
    cs = (a * a).T @ (d * d)
    csb = (d * d).sum(0)
    b = a.shape[0]
    coord_dev = (cs - b * gw * gw).sum() + (csb - b * gb * gb).sum()
    return sq, dots, coord_dev


def closed_form(model, X, Y, params):
    b = X.shape[0]
    if model == "softmax":
        W, c = params
        P = torch.softmax(X @ W + c, dim=1)
        D = P - Y
        gbar = ((X.T @ D) / b, D.mean(0))
        sq, dots, cd = linear_block(X, D, gbar)
    else:
        W1, c1, W2, c2 = params
        H = torch.tanh(X @ W1 + c1)
        P = torch.softmax(H @ W2 + c2, dim=1)
        D2 = P - Y
        D1 = (D2 @ W2.T) * (1 - H * H)
        g1 = ((X.T @ D1) / b, D1.mean(0))
        g2 = ((H.T @ D2) / b, D2.mean(0))
        sq1, dots1, cd1 = linear_block(X, D1, g1)
        sq2, dots2, cd2 = linear_block(H, D2, g2)
        sq, dots, cd = sq1 + sq2, dots1 + dots2, cd1 + cd2
        gbar = g1 + g2
    gns = sum(float((g * g).sum()) for g in gbar)
    return finish(b, gns, float(sq.sum()), float(dots.sum()), float((dots * dots).sum()), float(cd))


def loss_fn(model):
    def f(params, x, y):
        if model == "softmax":
            z = x @ params[0] + params[1]
        else:
            z = torch.tanh(x @ params[0] + params[1]) @ params[2] + params[3]
        return -(torch.log_softmax(z, dim=-1) * y).sum(-1).mean()
    return f


def mean_gradient(model, X, Y, params):
    ps = [p.detach().clone().requires_grad_(True) for p in params]
    loss = loss_fn(model)(ps, X, Y)
    gs = torch.autograd.grad(loss, ps)
    return float(sum((g * g).sum() for g in gs))


def vmap_stats(model, X, Y, params):
    from torch.func import grad, vmap
    f = loss_fn(model)
    single = lambda ps, x, y: f(ps, x.unsqueeze(0), y.unsqueeze(0))
    per_sample = vmap(grad(single), in_dims=(None, 0, 0))
    b = X.shape[0]
    ps = [p.detach().clone().requires_grad_(True) for p in params]
    gbar = [g.detach() for g in torch.autograd.grad(f(ps, X, Y), ps)]
    gns = float(sum((g * g).sum() for g in gbar))
    sum_sq = sum_dot = sum_dot2 = 0.0
    coord = [torch.zeros_like(g) for g in gbar]
    for s in range(0, b, CHUNK):
        G = per_sample(list(params), X[s:s + CHUNK], Y[s:s + CHUNK])
        sq = sum((g * g).flatten(1).sum(1) for g in G)
        dot = sum((g * gb).flatten(1).sum(1) for g, gb in zip(G, gbar))
        for c, g in zip(coord, G):
            c += (g * g).sum(0)
        sum_sq += float(sq.sum())
        sum_dot += float(dot.sum())
        sum_dot2 += float((dot * dot).sum())
    cd = float(sum((c - b * g * g).sum() for c, g in zip(coord, gbar)))
    return finish(b, gns, sum_sq, sum_dot, sum_dot2, cd)


def backpack_stats(model, X, Y, params):
    from backpack import backpack, extend
    from backpack.extensions import BatchGrad
    b = X.shape[0]
    dt = X.dtype
    lin = lambda W, c: (lambda m: (m.weight.data.copy_(W.T), m.bias.data.copy_(c), m)[2])(torch.nn.Linear(W.shape[0], W.shape[1], dtype=dt))
    if model == "softmax":
        net = torch.nn.Sequential(lin(params[0], params[1]))
    else:
        net = torch.nn.Sequential(lin(params[0], params[1]), torch.nn.Tanh(), lin(params[2], params[3]))
    net = extend(net)
    lossf = extend(torch.nn.CrossEntropyLoss(reduction="sum"))
    labels = Y.argmax(1)
    net.zero_grad()
    lossf(net(X), labels).backward()
    gbar = [p.grad.detach() / b for p in net.parameters()]
    gns = float(sum((g * g).sum() for g in gbar))
    sum_sq = sum_dot = sum_dot2 = 0.0
    coord = [torch.zeros_like(g) for g in gbar]
    for s in range(0, b, CHUNK):
        net.zero_grad()
        with backpack(BatchGrad()):
            lossf(net(X[s:s + CHUNK]), labels[s:s + CHUNK]).backward()
        G = [p.grad_batch for p in net.parameters()]
        sq = sum((g * g).flatten(1).sum(1) for g in G)
        dot = sum((g * gb).flatten(1).sum(1) for g, gb in zip(G, gbar))
        for c, g in zip(coord, G):
            c += (g * g).sum(0)
        sum_sq += float(sq.sum())
        sum_dot += float(dot.sum())
        sum_dot2 += float((dot * dot).sum())
    cd = float(sum((c - b * g * g).sum() for c, g in zip(coord, gbar)))
    return finish(b, gns, sum_sq, sum_dot, sum_dot2, cd)


def main():
    dirname = sys.argv[1]
    man = json.load(open(os.path.join(dirname, "manifest.json")))
    torch.set_num_threads(man.get("threads", 2))
    try:
        import backpack  # noqa: F401
        have_backpack = True
        backpack_version = getattr(backpack, "__version__", "?")
    except ImportError:
        have_backpack = False
        backpack_version = None
    quick = man.get("quick", False)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "backpack": backpack_version, "cases": []}
    for case in man["cases"]:
        model, b = case["model"], case["b"]
        for dtname, dt in (("float64", torch.float64), ("float32", torch.float32)):
            X = load(dirname, case["X"], torch.float64, (b, 784)).to(dt)
            labels = load(dirname, case["labels"], torch.int32, (b,)).long()
            Y = torch.nn.functional.one_hot(labels, 10).to(dt)
            params = [load(dirname, p["file"], torch.float64, p["shape"]).to(dt) for p in case["params"]]
            big = b >= 4096
            reps = (3 if big else 9) if quick else (7 if big else 21)
            warm_s = man.get("warmupMs", 0) / 1000  # the same minimum warm-up as ours (peers.ts)
            with torch.no_grad():
                ms, vals = timed(lambda: closed_form(model, X, Y, params), 2, reps, warm_s)
            row = {"model": model, "b": b, "dtype": dtname, "closed": {"ms": ms, "values": vals}}
            ms, gns = timed(lambda: mean_gradient(model, X, Y, params), 2, reps, warm_s)
            row["mean"] = {"ms": ms, "values": {"gradNormSq": gns}}
            vreps = 1 if quick and big else 3
            ms, vals = timed(lambda: vmap_stats(model, X, Y, params), 1, vreps)
            row["vmap"] = {"ms": ms, "values": vals}
            if have_backpack:
                ms, vals = timed(lambda: backpack_stats(model, X, Y, params), 1, vreps)
                row["backpack"] = {"ms": ms, "values": vals}
            out["cases"].append(row)
            print(f"# peers: {model} b={b} {dtname} done", file=sys.stderr, flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
