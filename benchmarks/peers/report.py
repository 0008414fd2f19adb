#!/usr/bin/env python3
"""Reads the JSON that benchmarks/compare.sh wrote (graphgen.json, torch.json, openblas.json, build.json) and prints
the comparison table: each figure, its peer, the ratio, and whether the issue's target holds."""
import json, os, platform, sys


def load(folder, name):
    path = os.path.join(folder, name)
    return json.load(open(path)) if os.path.exists(path) else None


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(folder):
    gg, torch, blas, build = (load(folder, n) for n in ("graphgen.json", "torch.json", "openblas.json", "build.json"))
    peak = blas["square_2048"]["gflops"]
    print(f"\nMachine: {cpu_name()}, {gg['cores']} cores, {gg['isa']}; OpenBLAS via {blas['blas']}, PyTorch {torch['torch']}")
    rows = []

    def row(name, value, peer, ratio, target, ok):
        rows.append((name, value, peer, ratio, target, "yes" if ok else "NO"))

    epoch_ratio = gg["graphgen_epoch_s"] / torch["epoch_s"]
    row("epoch, reference model", f"{gg['graphgen_epoch_s']:.3f} s", f"PyTorch {torch['epoch_s']:.3f} s",
        f"{epoch_ratio:.3f}×", "≤ 0.15× PyTorch", epoch_ratio <= 0.15)
    step_ratio = gg["step_gflops"] / peak
    row("whole training step", f"{gg['step_gflops']:.1f} GFLOP/s", f"SGEMM 2048³ {peak:.1f} GFLOP/s",
        f"{step_ratio:.2f}", "≥ 0.80 of SGEMM peak", step_ratio >= 0.8)
    fit_ratio = gg["fit_gflops"] / peak
    row("  the same, over Fit's epoch", f"{gg['fit_gflops']:.1f} GFLOP/s", "", f"{fit_ratio:.2f}", "(context)", True)
    predict_ratio = gg["predict_gflops"] / peak
    row("Predict, 10,000 images", f"{gg['predict_10k_s'] * 1e3:.1f} ms = {gg['predict_gflops']:.1f} GFLOP/s",
        f"PyTorch {torch['predict_10k_s'] * 1e3:.1f} ms", f"{predict_ratio:.2f} of peak", "≥ 0.80 of SGEMM peak", predict_ratio >= 0.8)
    if "onnxruntime_predict_10k_s" in gg:
        row("  Predict against ONNX Runtime on its ExportOnnx file", f"{gg['predict_10k_s'] * 1e3:.1f} ms",
            f"ONNX Runtime CPU, {gg['onnxruntime_threads']} threads: {gg['onnxruntime_predict_10k_s'] * 1e3:.1f} ms",
            f"{gg['onnxruntime_over_graphgen']:.2f}× faster", "(context)", True)
    row("allocated per TrainStep", f"{gg['alloc_bytes_per_step']:.1f} B", "", "", "0 B, all threads", gg["alloc_bytes_per_step"] == 0)
    for ours, theirs in zip(gg["kernels"], blas["kernels"]):
        ratio = ours["gflops"] / theirs["gflops"]
        row(f"GEMM {ours['layout']} {ours['m']}×{ours['n']}×{ours['k']}", f"{ours['gflops']:.1f} GFLOP/s",
            f"OpenBLAS {theirs['gflops']:.1f}", f"{ratio:.2f}×", "≥ 1× OpenBLAS", ratio >= 1)
    square = next(k for k in gg["kernels"] if k["m"] == 2048)
    row("GEMM NN 2048³", f"{square['gflops']:.1f} GFLOP/s", f"OpenBLAS {peak:.1f}", f"{square['gflops'] / peak:.2f}×", "(context)", True)

    headers = ("figure", "GraphGen", "peer", "ratio", "target", "met")
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(6)]
    print(" | ".join(h.ljust(w) for h, w in zip(headers, widths)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    print(f"\nTest accuracy after the run: GraphGen {gg['test_accuracy']:.4f}, PyTorch {torch['test_accuracy']:.4f}")

    if gg.get("scaling"):
        print("\nHow cost grows (one epoch each, after a warm-up epoch):")
        print("hidden | batch | epoch s | step GFLOP/s")
        for s in gg["scaling"]:
            print(f"{s['hidden']:6} | {s['batch']:5} | {s['epoch_s']:7.3f} | {s['step_gflops']:.1f}")
    if gg.get("generator"):
        print("\nThe generator (CSharpGeneratorDriver, warm):")
        for g in gg["generator"]:
            print(f"{g['models']:2} model(s): full run {g['full_run_ms']:.1f} ms, after an unrelated edit {g['unrelated_edit_ms']:.2f} ms, every step cached: {g['cached']}")
    if build:
        print("\ndotnet build after touching a model file (runtime already built):")
        for b in build:
            print(f"{b['models']:2} model(s): {b['seconds']:.2f} s")
    missed = [r[0] for r in rows if r[5] == "NO"]
    print("\nEvery target met." if not missed else f"\nTargets missed: {', '.join(missed)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/graphgen-compare")
