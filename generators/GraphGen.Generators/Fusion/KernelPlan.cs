using GraphGen.Generators.Graph;
using GraphGen.Generators.Model;

namespace GraphGen.Generators.Fusion;

/// <summary>A planned activation buffer: (B, …) rows, allocated once for the largest batch seen; named after the first value it holds.</summary>
internal sealed record BufferInfo(string Name, Shape Shape, string Holds);

/// <summary>
/// The Fusion stage's output, the whole program: buffers, the inference kernels (Predict; none for a function), the
/// training kernels (loss and every parameter gradient), the parameters whose gradient is identically zero and those
/// the optimizer updates after the step's kernels (by index into <paramref name="Parameters"/>), and the plan
/// after each pass when the GraphGenDumpPlan build property asks for it.
/// </summary>
internal sealed record KernelPlan(
    GraphOwner Owner,
    EquatableArray<ParameterInfo> Parameters,
    EquatableArray<BufferInfo> Buffers,
    EquatableArray<Kernel> Inference,
    Operand InferenceOutput,
    EquatableArray<Kernel> Training,
    EquatableArray<int> UnusedParameters,
    EquatableArray<int> UpdatedAfterStep,
    EquatableArray<string> Dump);
