using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Graph;

namespace GraphGen.Generators.Emit;

/// <summary>
/// What an op table entry's CPU lowering writes with: a general tensor kernel's operands as C# spans (B is the
/// <c>batch</c> argument), its sizes as C# expressions, and the runtime's names. The entry says which runtime kernel
/// runs the op; this says how the C# emitter spells its arguments.
/// </summary>
internal sealed class CpuSpelling(TensorKernel kernel, KernelEmitter emitter)
{
    public const string Cpu = "global::GraphGen.Cpu.";
    public const string Primitives = "global::System.Numerics.Tensors.TensorPrimitives.";

    /// <summary>Input <paramref name="i"/> as a span of exactly its values.</summary>
    public string In(int i) => emitter.Slice(kernel.Inputs[i], KernelEmitter.Count(kernel.Inputs[i].Shape, "batch"));

    /// <summary>Input <paramref name="i"/> as its array (a bias an epilogue reads by column).</summary>
    public string Array(int i) => emitter.Expression(kernel.Inputs[i]);

    /// <summary>The output as a span of exactly its values.</summary>
    public string Out => emitter.Slice(kernel.Output, KernelEmitter.Count(kernel.Output.Shape, "batch"));

    public Shape InShape(int i) => kernel.Inputs[i].Shape;
    public Shape OutShape => kernel.Output.Shape;

    /// <summary>A one-value input as a float (a constant's literal, else its first element).</summary>
    public string Scalar(int i) => emitter.Scalar(kernel.Inputs[i]);

    public bool IsOneValue(int i) => KernelEmitter.IsOneValue(kernel.Inputs[i].Shape);

    /// <summary>A shape's dimensions as a collection expression (a stack-allocated span in the generated code).</summary>
    public string Dims(Shape shape) => KernelEmitter.DimList(shape);

    public string Dim(int dim) => KernelEmitter.Dim(dim);

    /// <summary>The product of dimensions as a C# expression.</summary>
    public string Product(IEnumerable<int> dims) => KernelEmitter.Product(dims);

    public string Times(int count, string unit) => KernelEmitter.Times(count, unit);

    /// <summary>Every dimension but the last, multiplied: the rows of a (rows, last) view.</summary>
    public string Rows(Shape shape) => KernelEmitter.Rows(shape);

    /// <summary>The element counts before, along and after an axis (all of them along it for every axis).</summary>
    public (string Outer, string Count, string Inner) Around(Shape shape, int axis) => KernelEmitter.Around(shape, axis);

    /// <summary>
    /// A broadcasting binary op: TensorPrimitives.<paramref name="primitive"/> where both shapes are the output's or one
    /// operand is a single value, else the runtime's broadcasting <c>TensorKernels.<paramref name="kernelName"/></c>.
    /// <paramref name="commutes"/> lets a scalar on the left move to the right (TensorPrimitives takes (span, scalar)).
    /// </summary>
    public IEnumerable<string> Broadcasting(string? primitive, string kernelName, bool commutes)
    {
        Shape a = InShape(0), b = InShape(1), c = OutShape;
        if (primitive is not null && a.Equals(c) && b.Equals(c))
            yield return $"{Primitives}{primitive}<float>({In(0)}, {In(1)}, {Out});";
        else if (primitive is not null && a.Equals(c) && IsOneValue(1))
            yield return $"{Primitives}{primitive}<float>({In(0)}, {Scalar(1)}, {Out});";
        else if (primitive is not null && b.Equals(c) && IsOneValue(0))
            yield return commutes ? $"{Primitives}{primitive}<float>({In(1)}, {Scalar(0)}, {Out});" : $"{Primitives}{primitive}<float>({Scalar(0)}, {In(1)}, {Out});";
        else
            yield return $"{Cpu}TensorKernels.{kernelName}({In(0)}, {Dims(a)}, {In(1)}, {Dims(b)}, {Out}, {Dims(c)});";
    }
}
