using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Fusion;

/// <summary>
/// The passes that decide over a whole program once its kernels are formed: where the optimizer update runs. Each
/// emitter prints what they decided; none decides again.
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
}
