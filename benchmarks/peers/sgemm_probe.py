#!/usr/bin/env python3
"""SGEMM through numpy's BLAS (Debian's OpenBLAS, pthreads): the square 2048³ peak and each GEMM of the reference
step with the same transposes the generated code uses. Prints one JSON object. Threads: OPENBLAS_NUM_THREADS."""
import argparse, json, os, time
import numpy as np


def best_seconds(fn, budget):
    fn(); fn()
    start = time.perf_counter(); fn(); once = max(time.perf_counter() - start, 1e-7)
    calls = max(1, int(budget / 5 / once))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def gemm(layout, m, n, k, budget):
    rng = np.random.default_rng(7)
    a = rng.random((k, m) if layout == "TN" else (m, k), dtype=np.float32) - 0.5
    b = rng.random((n, k) if layout == "NT" else (k, n), dtype=np.float32) - 0.5
    c = np.empty((m, n), dtype=np.float32)
    ta = a.T if layout == "TN" else a
    tb = b.T if layout == "NT" else b
    seconds = best_seconds(lambda: np.matmul(ta, tb, out=c), budget)
    return {"layout": layout, "m": m, "n": n, "k": k, "gflops": 2.0 * m * n * k / seconds / 1e9, "us": seconds * 1e6}


def blas_name():
    try:
        from threadpoolctl import threadpool_info
        return ", ".join(f"{i['internal_api']} {i.get('version')} ({i['num_threads']} threads)" for i in threadpool_info())
    except ImportError:
        cfg = getattr(np, "__config__", None)
        return "numpy " + np.__version__


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=512)
    args = parser.parse_args()
    b, h = args.batch, args.hidden
    shapes = [("NN", b, h, 784), ("NN", b, 10, h), ("TN", h, 10, b), ("NT", b, h, 10), ("TN", 784, h, b)]
    result = {
        "blas": blas_name(),
        "threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
        "square_2048": gemm("NN", 2048, 2048, 2048, 2.0),
        "kernels": [gemm(*s, 0.3) for s in shapes],
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
