#!/usr/bin/env python3
"""Reads the JSON that benchmarks/compare.sh wrote and prints the comparison table: each figure, its peer, the ratio,
and whether the issue's target holds. The folder holds round1/, round2/, … (graphgen.json, graphgen-aot.json,
torchsharp.{spin,passive}.json, torch.{spin,passive}.json, openblas.json, load_before/after each) and build.json; a folder of the older layout
(graphgen.json, torch.json, openblas.json at its top) reads as one round. Each figure is the median over the rounds;
of each OpenMP peer's two runs (spinning or passive workers) the faster is kept, per round and per model, and each
Predict and bare step from the run that timed it faster. Where there are several rounds, the targets' figures are shown
round by round as well."""
import json, os, platform, statistics, sys


def load(path):
    return json.load(open(path)) if os.path.exists(path) else None


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def faster(folder, name, key):
    """Of NAME.spin.json and NAME.passive.json (or NAME.json), the run whose KEY is lower, with its policy's name."""
    runs = [(p, load(os.path.join(folder, f"{name}.{p}.json"))) for p in ("spin", "passive")]
    runs = [(p, r) for p, r in runs if r and r.get(key) is not None]
    if not runs:
        single = load(os.path.join(folder, f"{name}.json"))
        return ("as run", single) if single else (None, None)
    return min(runs, key=lambda pr: pr[1][key])


def at_best(folder, name, run, keys):
    """RUN with each of KEYS (a timing, and the figures derived from it) taken from whichever of the peer's runs that
    round timed it lowest: a peer is measured at its best, and its faster epoch's wait policy is not always its faster
    Predict or step (in one AVX-512 round TorchSharp's Predict took 48.5 ms under passive workers and 123 ms under
    spinning ones, whose epoch was the faster)."""
    _, best = faster(folder, name, keys[0])
    if run is None or best is None:
        return run
    return dict(run, **{k: best[k] for k in keys if k in best})


def read_round(folder):
    ts_mlp_policy, ts_mlp = faster(folder, "torchsharp", "epoch_s")
    ts_cnn_policy, ts_cnn = faster(folder, "torchsharp", "cnn_epoch_s")
    torch_policy, torch = faster(folder, "torch", "epoch_s")
    ts = None
    if ts_mlp:
        # The MLP's figures from the run with the faster MLP epoch, the convnet's from the run with the faster CNN epoch;
        # each Predict and bare step from the run that timed it faster.
        ts = {k: v for k, v in ts_mlp.items() if not k.startswith(("cnn_", "conv"))}
        ts.update({k: v for k, v in ts_cnn.items() if k.startswith(("cnn_", "conv"))})
        for keys in (["predict_10k_s"], ["step_ms", "step_gflops"], ["cnn_predict_10k_s"], ["cnn_step_ms", "cnn_step_gflops"]):
            ts = at_best(folder, "torchsharp", ts, keys)
        ts["policy"] = f"MLP {ts_mlp_policy}, CNN {ts_cnn_policy}; each Predict and bare step from its faster run"
    if torch:
        torch = dict(at_best(folder, "torch", torch, ["predict_10k_s"]), policy=torch_policy)
    read = lambda n: open(os.path.join(folder, n)).read().strip() if os.path.exists(os.path.join(folder, n)) else "?"
    return {"graphgen": load(os.path.join(folder, "graphgen.json")), "graphgen_aot": load(os.path.join(folder, "graphgen-aot.json")),
            "torchsharp": ts, "torch": torch,
            "openblas": load(os.path.join(folder, "openblas.json")), "load": f"{read('load_before')} → {read('load_after')}"}


def median_of(values):
    """The median of each number over the rounds, lists of numbers and of dicts element by element; the rest as in round 1."""
    first = values[0]
    if isinstance(first, bool) or first is None or isinstance(first, str):
        return first
    if isinstance(first, (int, float)):
        numbers = [v for v in values if isinstance(v, (int, float))]
        # A count or a size (a layer width, a batch, threads) stays whole: the median of an even number of rounds is a mean.
        return first if all(v == first for v in numbers) else statistics.median(numbers)
    if isinstance(first, dict):
        return {k: median_of([v.get(k) for v in values if isinstance(v, dict)]) for k in first}
    if isinstance(first, list):
        if all(isinstance(v, list) and len(v) == len(first) for v in values):
            return [median_of([v[i] for v in values]) for i in range(len(first))]
        return first
    return first


def main(folder):
    round_dirs = sorted((d for d in os.listdir(folder) if d.startswith("round")), key=lambda d: int(d[5:]))
    rounds = [read_round(os.path.join(folder, d)) for d in round_dirs] or [read_round(folder)]
    med = {k: median_of([r[k] for r in rounds if r[k] is not None]) if any(r[k] for r in rounds) else None
           for k in ("graphgen", "graphgen_aot", "torchsharp", "torch", "openblas")}
    gg, aot, ts, torch, blas = med["graphgen"], med["graphgen_aot"], med["torchsharp"], med["torch"], med["openblas"]
    build = load(os.path.join(folder, "build.json"))
    isa_option = open(os.path.join(folder, "isa")).read().strip() if os.path.exists(os.path.join(folder, "isa")) else "native"

    print(f"\nMachine: {cpu_name()}, {gg['cores']} cores; ISA {gg['isa']} (compare.sh --isa {isa_option}); "
          f"{len(rounds)} round(s), medians; load average per round (1, 5, 15 min, before → after): "
          + "; ".join(r["load"] for r in rounds))
    peers = []
    if ts:
        peers.append(f"TorchSharp {ts['torchsharp']} (OpenMP wait kept: {ts['policy']})")
    if torch:
        peers.append(f"PyTorch {torch['torch']} (OpenMP wait kept: {torch['policy']})")
    if blas:
        peers.append(f"OpenBLAS via {blas['blas']}")
    print("Peers: " + "; ".join(peers))
    if isa_option == "avx2":
        print("ONNX Runtime (MLAS) has no ISA switch: its rows ran with whatever the CPU has, AVX-512 included.")
    if "fma_peak_widths" in gg:
        print("FMA peak measured by GraphGen.Bench: " + "; ".join(
            f"Vector{w['bits']} {w['gflops_1thread']:.1f} GFLOP/s on 1 thread, {w['gflops_all']:.1f} on {gg['fma_peak_threads']}"
            for w in gg["fma_peak_widths"]))
    rows = []

    # The FMA ceiling the bench holds the step to (FmaPeakFigures.Ceiling) and the width it was measured on.
    fma_ceiling, threads = gg["fma_peak_ceiling"], gg["fma_peak_threads"]
    fastest = {"bits": gg["fma_peak_vector_bits"], "gflops_1thread": gg["fma_peak_gflops_1thread"], "gflops_all": gg["fma_peak_gflops_all"]}


    def row(name, value, peer, ratio, target, ok):
        rows.append((name, value, peer, ratio, target, "" if ok is None else "yes" if ok else "NO"))

    def by_round(name, figure):
        """A context row of FIGURE(round) for each round that has what it reads. The medians can sit on either side of a
        target while the rounds straddle it (this VM's figures move 10-25 % between rounds), so a target's row shows them."""
        if len(rounds) < 2:
            return
        values = []
        for r in rounds:
            try:
                values.append(f"{figure(r):.2f}")
            except (KeyError, TypeError, ValueError, StopIteration, ZeroDivisionError):
                pass  # a program that wrote nothing that round
        if values:
            row(name, ", ".join(values), "", "", "(context)", None)

    def faster_epoch(r):
        return min(p["epoch_s"] for p in (r["torchsharp"], r["torch"]) if p)

    # The reference MLP.
    peer_epochs = [(f"TorchSharp {ts['epoch_s']:.3f} s", ts["epoch_s"])] if ts else []
    peer_epochs += [(f"PyTorch {torch['epoch_s']:.3f} s", torch["epoch_s"])] if torch else []
    best_name, best_epoch = min(peer_epochs, key=lambda p: p[1])
    ratio = gg["graphgen_epoch_s"] / best_epoch
    row("epoch, reference MLP (Fit)", f"{gg['graphgen_epoch_s']:.3f} s", f"faster peer: {best_name}", f"{ratio:.2f}×", "≤ 0.5× the faster peer", ratio <= 0.5)
    by_round("  the ratio, round by round (that round's faster peer)", lambda r: r["graphgen"]["graphgen_epoch_s"] / faster_epoch(r))
    for name, seconds in peer_epochs:
        if name != best_name:
            row("  the other peer", "", name, f"{gg['graphgen_epoch_s'] / seconds:.2f}×", "(context)", None)
    if "first_epoch_s" in gg:
        first = gg["first_epoch_s"] / gg["graphgen_epoch_s"]
        peer_first = f"TorchSharp {ts['first_epoch_s']:.3f} s / {ts['epoch_s']:.3f} s" if ts else ""
        row("first epoch over the later ones", f"{gg['first_epoch_s']:.3f} s / {gg['graphgen_epoch_s']:.3f} s", peer_first, f"{first:.2f}", "≤ 1.10", first <= 1.10)
        row("  the same, round by round", ", ".join(f"{r['graphgen']['first_epoch_s'] / r['graphgen']['graphgen_epoch_s']:.2f}" for r in rounds if r["graphgen"]),
            "", "", "(context)", None)
        if gg.get("jit_epochs_s"):
            jit = gg["jit_epochs_s"]
            later = sorted(jit[1:])[len(jit[1:]) // 2] if len(jit) > 1 else float("nan")
            row("  JIT compiling in the first epoch", f"{jit[0] * 1e3:.0f} ms (later epochs {later * 1e3:.0f} ms)", "",
                f"{(gg['first_epoch_s'] - gg['graphgen_epoch_s']) * 1e3:.0f} ms extra", "(context)", None)
    if aot:
        # The same reference run published with NativeAOT (benchmarks/GraphGen.Bench.Aot): nothing is compiled while it runs.
        first = aot["first_epoch_s"] / aot["epoch_s"]
        row("first epoch over the later ones, NativeAOT", f"{aot['first_epoch_s']:.3f} s / {aot['epoch_s']:.3f} s", "", f"{first:.2f}", "≤ 1.10", first <= 1.10)
        row("  the same, round by round", ", ".join(f"{r['graphgen_aot']['first_epoch_s'] / r['graphgen_aot']['epoch_s']:.2f}" for r in rounds if r["graphgen_aot"]),
            "", "", "(context)", None)
        row("  NativeAOT epoch, bare step, Predict", f"{aot['epoch_s']:.3f} s, {aot['step_ms']:.3f} ms, {aot['predict_10k_s'] * 1e3:.1f} ms",
            f"JIT: {gg['graphgen_epoch_s']:.3f} s, {gg['step_ms']:.3f} ms, {gg['predict_10k_s'] * 1e3:.1f} ms",
            f"{aot['epoch_s'] / gg['graphgen_epoch_s']:.2f}×, {aot['step_ms'] / gg['step_ms']:.2f}×, {aot['predict_10k_s'] / gg['predict_10k_s']:.2f}×", "(context)", None)
    if "step_share_of_peak" in gg:
        share = gg["step_share_of_peak"]
        row("whole training step, share of FMA peak", f"{gg['step_gflops']:.1f} GFLOP/s ({gg['step_ms']:.3f} ms)",
            f"FMA ceiling {fma_ceiling:.1f} (Vector{fastest['bits']}, {threads} threads)",
            f"{share:.2f}", "≥ 0.80", share >= 0.8)
        by_round("  the same, round by round", lambda r: r["graphgen"]["step_share_of_peak"])
        row("  how the ceiling was measured", "", f"all threads {fastest['gflops_all']:.1f}; 1 thread {fastest['gflops_1thread']:.1f} × {threads}",
            "the higher", "(context)", None)
    if ts:
        row("  TorchSharp's step", "", f"{ts['step_gflops']:.1f} GFLOP/s ({ts['step_ms']:.3f} ms)",
            f"{gg['step_gflops'] / ts['step_gflops']:.2f}× its speed", "(context)", None)
    if blas:
        square = blas["square_2048"]["gflops"]
        row("  step over SGEMM 2048³ (the earlier yardstick)", f"{gg['step_gflops']:.1f} GFLOP/s", f"OpenBLAS 2048³ {square:.1f}",
            f"{gg['step_gflops'] / square:.2f}", "(context)", None)
    batch32 = [s for s in gg.get("scaling") or [] if s["hidden"] == 512 and s["batch"] == 32]
    if batch32 and "fma_peak_gflops_all" in gg:
        share = batch32[0]["step_gflops"] / fma_ceiling
        row("batch 32 step, share of FMA peak", f"{batch32[0]['step_gflops']:.1f} GFLOP/s", f"FMA ceiling {fma_ceiling:.1f}",
            f"{share:.2f}", "≥ 0.60", share >= 0.6)
        by_round("  the same, round by round", lambda r: next(s["step_gflops"] for s in r["graphgen"]["scaling"] if s["hidden"] == 512 and s["batch"] == 32)
                 / r["graphgen"]["fma_peak_ceiling"])
    if ts:
        speed = ts["predict_10k_s"] / gg["predict_10k_s"]
        row("Predict, 10,000 images", f"{gg['predict_10k_s'] * 1e3:.1f} ms", f"TorchSharp {ts['predict_10k_s'] * 1e3:.1f} ms",
            f"{speed:.2f}× faster", "≥ 2× faster than TorchSharp", speed >= 2)
        by_round("  the same, round by round", lambda r: r["torchsharp"]["predict_10k_s"] / r["graphgen"]["predict_10k_s"])
    if torch:
        row("  against PyTorch", "", f"PyTorch {torch['predict_10k_s'] * 1e3:.1f} ms", f"{torch['predict_10k_s'] / gg['predict_10k_s']:.2f}× faster", "(context)", None)
    if "onnxruntime_predict_10k_s" in gg:
        row("  against ONNX Runtime on its ExportOnnx file", "", f"ONNX Runtime CPU, {gg['onnxruntime_threads']} threads: {gg['onnxruntime_predict_10k_s'] * 1e3:.1f} ms",
            f"{gg['onnxruntime_over_graphgen']:.2f}× faster", "(context)", None)
    row("allocated per TrainStep", f"{gg['alloc_bytes_per_step']:.1f} B", "", "", "0 B, all threads", gg["alloc_bytes_per_step"] == 0)

    # The MNIST convnet.
    if "cnn_step_ms" in gg:
        full = gg.get("cnn_epoch_s") is not None
        ours = gg["cnn_epoch_s"] if full else gg["cnn_epoch_s_from_steps"]
        label = "median of warm epochs" if full else "scaled from bare steps"
        if ts:
            theirs = ts["cnn_epoch_s"]
            row(f"CNN epoch, 60,000 images ({label})", f"{ours:.2f} s", f"TorchSharp {theirs:.2f} s", f"{ours / theirs:.2f}×", "≤ 1× TorchSharp", ours <= theirs)
            if full:
                row("  CNN first epoch", f"{gg['cnn_first_epoch_s']:.2f} s", f"TorchSharp {ts['cnn_first_epoch_s']:.2f} s", f"{gg['cnn_first_epoch_s'] / ts['cnn_first_epoch_s']:.2f}×", "(context)", None)
            row("  CNN bare step", f"{gg['cnn_step_ms']:.2f} ms = {gg['cnn_step_gflops']:.1f} GFLOP/s", f"TorchSharp {ts['cnn_step_ms']:.2f} ms = {ts['cnn_step_gflops']:.1f} GFLOP/s",
                f"{gg['cnn_step_ms'] / ts['cnn_step_ms']:.2f}×", "(context)", None)
            row("  CNN Predict, 10,000 images", f"{gg['graphgen_cnn_predict_10k_s'] * 1e3:.1f} ms", f"TorchSharp {ts['cnn_predict_10k_s'] * 1e3:.1f} ms",
                f"{ts['cnn_predict_10k_s'] / gg['graphgen_cnn_predict_10k_s']:.2f}× faster", "(context)", None)
        row("  CNN step, share of FMA peak", f"{gg['cnn_step_gflops']:.1f} GFLOP/s", "", f"{gg['cnn_step_share_of_peak']:.2f}", "(context)", None)
        for layer in ("conv1", "conv2"):
            for way in ("forward", "backward"):
                key = f"{layer}_{way}_gflops"
                if key in gg:
                    peer = f"TorchSharp {ts[key]:.1f} ({ts[f'{layer}_{way}_ms']:.2f} ms)" if ts and key in ts else ""
                    ratio = f"{gg[key] / ts[key]:.2f}×" if ts and key in ts else ""
                    row(f"  {layer} {way}, batch 128", f"{gg[key]:.1f} GFLOP/s ({gg[f'{layer}_{way}_ms']:.2f} ms)", peer, ratio, "(context)", None)

    # Every GEMM of the MLP's step, and the square.
    if blas:
        for ours, theirs in zip(gg["kernels"], blas["kernels"]):
            ratio = ours["gflops"] / theirs["gflops"]
            row(f"GEMM {ours['layout']} {ours['m']}×{ours['n']}×{ours['k']}", f"{ours['gflops']:.1f} GFLOP/s",
                f"OpenBLAS {theirs['gflops']:.1f}", f"{ratio:.2f}×", "≥ 1× OpenBLAS", ratio >= 1)
        square = next(k for k in gg["kernels"] if k["m"] == 2048)
        ratio = square["gflops"] / blas["square_2048"]["gflops"]
        row("GEMM NN 2048³", f"{square['gflops']:.1f} GFLOP/s", f"OpenBLAS {blas['square_2048']['gflops']:.1f}", f"{ratio:.2f}×", "≥ 1× OpenBLAS", ratio >= 1)
        by_round("  the same, round by round", lambda r: next(k for k in r["graphgen"]["kernels"] if k["m"] == 2048)["gflops"]
                 / r["openblas"]["square_2048"]["gflops"])

    headers = ("figure", "GraphGen", "peer", "ratio", "target", "met")
    widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(6)]
    print(" | ".join(h.ljust(w) for h, w in zip(headers, widths)))
    print("-+-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    accuracies = [f"GraphGen {gg['test_accuracy']:.4f}"]
    accuracies += [f"TorchSharp {ts['test_accuracy']:.4f}"] if ts else []
    accuracies += [f"PyTorch {torch['test_accuracy']:.4f}"] if torch else []
    print("\nMLP test accuracy after the run: " + ", ".join(accuracies))

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
