using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Fusion;

/// <summary>
/// The passes that decide over a whole program once its kernels are formed: where the optimizer update runs, how
/// each GEMM pairs with a cuBLASLt epilogue, and whether CUDA can run the plan at all. Each emitter prints what they
/// decided; none decides again.
/// </summary>
internal static class PlanPasses
{
    /// <summary>
    /// "optimizer-update-into-gemm", on a model's training step: a GEMM that writes a weight's gradient, with nothing
    /// after it reading or writing that gradient or reading the weight, applies the weight's update as it stores (the
    /// first layer's weight gradient, typically; not a layer whose weight the backward pass still multiplies by, nor
    /// a gradient still to be accumulated). The optimizer updates every other parameter after the step's kernels.
    /// </summary>
    public static void OptimizerUpdateIntoGemm(Planning planning)
    {
        if (!planning.IsModel) return;
        var kernels = planning.Training.Kernels;
        for (int i = 0; i < kernels.Count; i++)
        {
            if (kernels[i] is not GemmKernel { C.Kind: OperandKind.ParameterGradient, Epilogue.Kind: EpilogueKind.None } gemm) continue;
            int parameter = gemm.C.Id;
            bool touchedLater = kernels.Skip(i + 1).SelectMany(k => k.Operands).Any(o => o.IsParameter && o.Id == parameter);
            if (touchedLater) continue;
            kernels[i] = gemm with { UpdatesParameter = true };
            planning.UpdatedAfterStep.Remove(parameter);
        }
    }

    /// <summary>
    /// "cublaslt-epilogues", on a model's programs: the cuBLASLt epilogue of each GEMM, and the activation left for a
    /// kernel of its own where cuBLASLt has none. Relu and gelu fold in (in training with the AUX variants, keeping what
    /// the backward epilogue reads), linear is BIAS, the rest run BIAS then their activation. A backward GEMM folds relu'
    /// (DRELU) and gelu' (DGELU) only where an earlier GEMM of the same step kept that value's AUX output; elsewhere (gelu
    /// applied by a kernel of its own, say) the derivative is a kernel of its own too.
    /// </summary>
    public static void CublasLtEpilogues(Planning planning)
    {
        if (!planning.IsModel) return;
        foreach (var program in planning.Programs)
        {
            bool training = program == planning.Training;
            var keptAux = new HashSet<Operand>();
            program.Replace(kernel =>
            {
                if (kernel is not GemmKernel g) return kernel;
                var pairing = Pair(g, training);
                if (pairing.Epilogue is CublasLtEpilogue.ReluAuxBias or CublasLtEpilogue.GeluAuxBias) keptAux.Add(g.C);
                if (pairing.Epilogue is CublasLtEpilogue.DRelu or CublasLtEpilogue.DGelu && !keptAux.Contains(g.Epilogue.Auxiliary!))
                    pairing = new CublasLtPairing(CublasLtEpilogue.Default, g.Epilogue.Activation);
                return g with { CublasLt = pairing };
            });
        }
    }

    private static CublasLtPairing Pair(GemmKernel g, bool training) => g.Epilogue.Kind switch
    {
        EpilogueKind.None => new(CublasLtEpilogue.Default, null),
        EpilogueKind.BiasActivation => g.Epilogue.Activation switch
        {
            ActivationKind.Linear => new(CublasLtEpilogue.Bias, null),
            ActivationKind.Relu => new(training ? CublasLtEpilogue.ReluAuxBias : CublasLtEpilogue.ReluBias, null),
            ActivationKind.Gelu => new(training ? CublasLtEpilogue.GeluAuxBias : CublasLtEpilogue.GeluBias, null),
            var other => new(CublasLtEpilogue.Bias, other),
        },
        _ => g.Epilogue.Activation switch
        {
            ActivationKind.Relu => new(CublasLtEpilogue.DRelu, null),
            ActivationKind.Gelu => new(CublasLtEpilogue.DGelu, null),
            var other => new(CublasLtEpilogue.Default, other),
        },
    };

    /// <summary>
    /// "cuda-coverage": why CUDA cannot run a model's plan, or nothing: general tensor ops, or a value that is not one row
    /// per sample ((B, B), (n, B), a (6, 6) Gram matrix), which the CUDA kernels (a thread per row, or per value of rows ×
    /// width) and the plan's buffers (rows × width, or a parameter's fixed length) do not describe. Better no CUDA than
    /// CUDA that indexes wrongly.
    /// </summary>
    public static void CudaCoverage(Planning planning)
    {
        if (!planning.IsModel) return;
        var kernels = planning.Programs.SelectMany(p => p.Kernels).ToList();
        if (kernels.Any(RegularizationPasses.IsRegularisation))
        {
            planning.CudaUnsupported = "the plan uses dropout or batch normalisation, which are lowered to C# only";
            return;
        }
        var general = kernels.OfType<TensorKernel>().Select(k => k.Op.ToString()).Distinct().ToList();
        if (general.Count > 0)
        {
            planning.CudaUnsupported = $"the plan uses general tensor ops ({string.Join(", ", general)}) that are lowered to C# only";
            return;
        }
        var notRows = kernels.SelectMany(k => k.Operands).Where(o => o.Kind == OperandKind.Value && !OneRowPerSample(o.Shape))
            .Select(o => o.Shape.ToString()).Distinct().ToList();
        if (notRows.Count > 0)
            planning.CudaUnsupported = $"the plan holds values that are not one row per sample ({string.Join(", ", notRows)}), which the CUDA kernels and buffers do not describe yet";
    }

    private static bool OneRowPerSample(Shape shape) => shape.Rank > 0 && shape.Dims[0] == Shape.Batch && !shape.Dims.Skip(1).Contains(Shape.Batch);
}
