using System;
using System.Collections.Generic;
using System.Linq;
using GraphGen.Generators.Fusion;
using GraphGen.Generators.Model;
using static GraphGen.Generators.Emit.CudaEmitter;

namespace GraphGen.Generators.Emit;

/// <summary>What one model's CUDA emission collects beside its source: kernel names, buffers, and the plan's steps.</summary>
internal sealed class CudaEmission(KernelPlan plan)
{
    private readonly List<string> _bufferOrder = new();
    private readonly Dictionary<string, (string Role, bool PerRow, long Width)> _buffers = new(StringComparer.Ordinal);

    public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
    public List<string> Training { get; } = new();
    public List<string> Inference { get; } = new();
    /// <summary>The list steps go to now: the training step's, then Predict's.</summary>
    public List<string> Steps { get; set; } = new();
    /// <summary>The kernel name the last <see cref="Launch"/> recorded.</summary>
    public string Last { get; private set; } = "";

    /// <summary>Records a launch of <paramref name="kernel"/> over the operands (and the per-row losses it writes, then their mean).</summary>
    public string Launch(string layer, string kernel, string grid, int width, Operand[] operands, int lossValues = 0)
    {
        Last = kernel;
        var names = operands.Select(Buffer).ToList();
        if (lossValues > 0)
        {
            names.Add(Add("row_loss", "RowLosses", true, lossValues));
            Add("loss", "RowLosses", false, 1);
        }
        Steps.Add($"new global::GraphGen.Cuda.CudaLaunch({Quote(layer)}, {Quote(kernel)}, global::GraphGen.Cuda.CudaGrid.{grid}, {width}, [{string.Join(", ", names.Select(Quote))}])");
        if (lossValues > 0)
            Steps.Add($"new global::GraphGen.Cuda.CudaLaunch({Quote(layer)}, \"graphgen_mean\", global::GraphGen.Cuda.CudaGrid.Reduction, {lossValues}, [\"row_loss\", \"loss\"])");
        return kernel;
    }

    public void Gemm(GemmKernel g, CublasLtEpilogue epilogue)
    {
        string a = Buffer(g.A), b = Buffer(g.B), c = Buffer(g.C);
        string? bias = g.Epilogue.Kind == EpilogueKind.BiasActivation ? Buffer(g.Epilogue.Auxiliary!) : null;
        // An AUX epilogue keeps what its backward D-epilogue reads (the ReLU mask, GELU's input) beside the output.
        string? aux = epilogue is CublasLtEpilogue.ReluAuxBias or CublasLtEpilogue.GeluAuxBias ? Add(c + "_aux", "Activation", true, g.N)
            : epilogue is CublasLtEpilogue.DRelu or CublasLtEpilogue.DGelu ? Add(Id(g.Epilogue.Auxiliary!) + "_aux", "Activation", true, g.N) : null;
        Steps.Add($"new global::GraphGen.Cuda.CudaGemm({Quote(g.Layer)}, {Bool(g.TransposeA)}, {Bool(g.TransposeB)}, {g.M}, {g.N}, {g.K}, " +
            $"{Quote(a)}, {Quote(b)}, {Quote(c)}, global::GraphGen.Cuda.CudaEpilogue.{epilogue}, {(bias is null ? "null" : Quote(bias))}, {(aux is null ? "null" : Quote(aux))})");
    }

    /// <summary>An operand's C name, snake_case as the comments write it: x, targets, hidden_out, d_output_z, output_bias, d_output_bias.</summary>
    public string Id(Operand o) => o.Kind switch
    {
        OperandKind.Input => "x",
        OperandKind.Targets => "targets",
        OperandKind.Buffer => BufferName(o.Id),
        OperandKind.ParameterValue => Snake(Identifier(plan.Parameters[o.Id].Name)),
        OperandKind.ParameterGradient => "d_" + Snake(Identifier(plan.Parameters[o.Id].Name)),
        _ => throw new NotSupportedException($"A {o.Kind} operand has no CUDA buffer."),
    };

    /// <summary>A buffer's C name: its first value's, made unique among the buffers (which never share a first value name with a parameter's).</summary>
    private string BufferName(int buffer)
    {
        if (_bufferNames is null)
        {
            var taken = new HashSet<string>(StringComparer.Ordinal);
            _bufferNames = plan.Buffers.Select(b => CSharpNames.Unique(Snake(Identifier(b.Name)), taken)).ToArray();
        }
        return _bufferNames[buffer];
    }

    private string[]? _bufferNames;

    private string Buffer(Operand o) => o.Kind switch
    {
        OperandKind.Input => Add(Id(o), "Input", true, o.Shape.ElementsPerBatch),
        OperandKind.Targets => Add(Id(o), "Targets", true, o.Shape.ElementsPerBatch),
        OperandKind.ParameterValue => Add(Id(o), "Parameter", false, o.Shape.ElementsPerBatch),
        OperandKind.ParameterGradient => Add(Id(o), "Gradient", false, o.Shape.ElementsPerBatch),
        OperandKind.Buffer => Add(Id(o), "Activation", o.Shape.HasBatch, o.Shape.ElementsPerBatch),
        _ => throw new NotSupportedException($"A {o.Kind} operand has no CUDA buffer."),
    };

    private string Add(string name, string role, bool perRow, long width)
    {
        if (_buffers.TryGetValue(name, out var known)) width = Math.Max(width, known.Width);
        else _bufferOrder.Add(name);
        _buffers[name] = (role, perRow, width);
        return name;
    }

    public void WritePlan(CodeWriter w)
    {
        w.Line("    [");
        foreach (string name in _bufferOrder)
        {
            var (role, perRow, width) = _buffers[name];
            w.Line($"        new({Quote(name)}, global::GraphGen.Cuda.CudaBufferRole.{role}, {Bool(perRow)}, {width}),");
        }
        w.Line("    ],");
        WriteSteps(w, Training, ",");
        WriteSteps(w, Inference, ");");
    }

    private static void WriteSteps(CodeWriter w, List<string> steps, string end)
    {
        w.Line("    [");
        foreach (string step in steps) w.Line($"        {step},");
        w.Line("    ]" + end);
    }

    private static string Quote(string text) => "\"" + text + "\"";
    private static string Bool(bool value) => value ? "true" : "false";
}
