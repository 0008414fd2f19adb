using System.Reflection;
using GraphGen.Cpu;
using GraphGen.Ilgpu;
using GraphGen.Testing;
using GraphGen.Tests.Cuda;
using GraphGen.Tests.Generator;
using GraphGen.Tests.Models;
using GraphGen.Training;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace GraphGen.Tests.Ilgpu;

/// <summary>
/// The generated ILGPU programs of this project's models, without a GPU: every kernel compiles to PTX for Ampere and
/// Hopper with ILGPU's own backend, every program loads on ILGPU's CPU accelerator, and the kernels compute there what
/// the CPU runtime's kernels compute (the GEMM epilogues, the losses, softmax, column sums, activations).
/// </summary>
public sealed class IlgpuProgramTests : IDisposable
{
    // The Algorithms library gives PTX its MathF.Exp, Log and Tanh; the CPU accelerator runs .NET's own.
    private readonly Context _context = Context.Create(b => b.CPU().EnableAlgorithms());
    private readonly CPUAccelerator _cpu;
    private readonly Dictionary<Type, IlgpuProgram> _programs = new();

    public IlgpuProgramTests() => _cpu = _context.CreateCPUAccelerator(0);

    public void Dispose()
    {
        _cpu.Dispose();
        _context.Dispose();
    }

    /// <summary>Every model of this assembly whose plan has an ILGPU program: the nested IlgpuPlan the generator wrote.</summary>
    private static List<Type> ProgramTypes() =>
        typeof(IlgpuProgramTests).Assembly.GetTypes()
            .Where(t => typeof(CompiledModel).IsAssignableFrom(t) && !t.IsAbstract)
            .Select(t => t.GetNestedType("IlgpuPlan", BindingFlags.NonPublic))
            .OfType<Type>()
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();

    private static IEnumerable<MethodInfo> KernelMethods(Type plan) =>
        plan.GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .Where(m => m.GetParameters() is [{ ParameterType: var index }, ..] && index == typeof(Index1D));

    [Fact]
    public void IlgpuKernelsCompileToPtxForAmpereAndHopper()
    {
        var plans = ProgramTypes();
        Assert.True(plans.Count >= 15, $"{plans.Count} ILGPU programs");
        int compiled = 0;
        // ILGPU targets the lowest architecture its kernels' capabilities need (sm_80 here, which runs on sm_90 too),
        // under the PTX ISA asked for: 7.0 came with sm_80, 8.0 is CUDA 12.0's.
        foreach (var (architecture, isa, version) in new[] { (CudaArchitecture.SM_80, CudaInstructionSet.ISA_70, "7.0"), (CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, "8.0") })
        {
            using var backend = new PTXBackend(_context, architecture, isa, null!);
            foreach (var plan in plans)
            {
                var kernels = KernelMethods(plan).ToList();
                Assert.NotEmpty(kernels);
                foreach (var method in kernels)
                {
                    var kernel = backend.Compile(EntryPointDescription.FromImplicitlyGroupedKernel(method), new KernelSpecialization());
                    string ptx = Assert.IsType<PTXCompiledKernel>(kernel).PTXAssembly;
                    Assert.Contains($".version {version}", ptx);
                    Assert.Contains(".target sm_", ptx);
                    Assert.Contains($".entry Kernel_{method.Name}(", ptx);
                    compiled++;
                }
            }
        }
        Assert.True(compiled > 200, $"{compiled} kernels compiled");
    }

    [Fact]
    public void IlgpuProgramsLoadOnTheCpuAcceleratorAndDescribeTheirBuffers()
    {
        foreach (var plan in ProgramTypes())
        {
            var model = Create(plan.DeclaringType!);
            var program = model.CreateIlgpuProgram() ?? throw new Xunit.Sdk.XunitException($"{plan.DeclaringType!.Name} has an IlgpuPlan but no program");
            Assert.IsType(plan, program);
            Assert.NotSame(program, model.CreateIlgpuProgram()); // a new program per call: one per accelerator
            program.Load(_cpu);
            var fields = plan.GetFields(BindingFlags.NonPublic | BindingFlags.Instance).Where(f => typeof(Delegate).IsAssignableFrom(f.FieldType)).ToList();
            Assert.True(KernelMethods(plan).Count() == fields.Count, $"{plan.DeclaringType!.Name}: {KernelMethods(plan).Count()} kernels, {fields.Count} delegates");
            Assert.All(fields, f => Assert.NotNull(f.GetValue(program)));
            Assert.NotEmpty(program.Buffers);
            Assert.All(program.Buffers, b => Assert.True(b.Width > 0 && b.Name.Length > 0, b.ToString()));
            Assert.Equal(program.Buffers.Count, program.Buffers.Select(b => b.Name).Distinct().Count());
            Assert.True(program.LossValuesPerRow >= 1);
        }
    }

    [Fact]
    public void EveryModelWithACudaPlanHasAnIlgpuProgramAndGeneralTensorOpsHaveNoneYet()
    {
        foreach (var row in CudaTests.Models())
        {
            var model = (CompiledModel)row[0];
            Assert.True(model.CreateIlgpuProgram() is not null, $"{model.GetType().Name} has no ILGPU program");
        }
        Assert.Null(new EveryOpNet(1).CreateIlgpuProgram()); // broadcasts, reductions, a transpose
        Assert.Null(new BatchCenteredNet(1).CreateIlgpuProgram()); // a mean over the batch
        Assert.Null(new GemmsOverBatchNet(1).CreateIlgpuProgram()); // a (B, B) value
        Assert.NotNull(new GramNet(1).CreateIlgpuProgram()); // a fixed-size (6, 6) Gram matrix: hᵀ·h, a GEMM with k = B
        Assert.NotNull(new ResidualNet(1).CreateIlgpuProgram()); // element-wise tensor ops: ILGPU kernels, where CUDA has none yet
        Assert.NotNull(new TwoInputNet(1).CreateIlgpuProgram()); // slices and a concat
        Assert.Equal(1, new MnistReference(1).CreateIlgpuProgram()!.LossValuesPerRow);
        Assert.Equal(3, new BinaryFromLogitsNet(1).CreateIlgpuProgram()!.LossValuesPerRow);
        Assert.Equal(["hidden_out", "output_z", "output_probs", "d_output_z", "d_hidden_z"], new MnistReference(1).CreateIlgpuProgram()!.Buffers.Select(b => b.Name));
    }

    [Fact]
    public void TheOverrideIsProtectedInternalWhereGraphGensInternalsAreVisibleElseProtected()
    {
        // C# requires an override of another assembly's protected internal member to be protected, unless that
        // assembly grants it its internals (as GraphGen does this one): then protected internal.
        string here = GeneratedCode.Read(typeof(MnistReference).Assembly, "GraphGen.Tests.Models.MnistReference.ilgpu.g.cs");
        Assert.Contains("protected internal override global::GraphGen.Ilgpu.IlgpuProgram? CreateIlgpuProgram() => new IlgpuPlan();", here);
        var run = GeneratorHarness.Run(TestSources.Reference); // an assembly without GraphGen's internals
        Assert.Contains("    protected override global::GraphGen.Ilgpu.IlgpuProgram? CreateIlgpuProgram() => new IlgpuPlan();", run.GeneratedText("Demo.MnistClassifier.ilgpu.g.cs"));
        Assert.Empty(run.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        var pooled = GeneratorHarness.Run(
            "using GraphGen;\nnamespace Demo;\n[Model(Loss = Loss.MeanSquaredError)] public sealed partial class Pooled\n{\n" +
            "    [Parameter(3, 4)] public partial Parameter W { get; }\n" +
            "    [Forward] public Tensor Call([Shape(3)] Tensor x) => Op.Reshape(Op.Sum(Op.MatMul(x, W), 1), -1, 1);\n}");
        Assert.Empty(pooled.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        string none = pooled.GeneratedText("Demo.Pooled.ilgpu.g.cs");
        Assert.Contains("/// <summary>No ILGPU program yet: the plan uses general tensor ops (Sum, ExpandSum) that have no ILGPU kernels yet.</summary>", none);
        Assert.Contains("protected override global::GraphGen.Ilgpu.IlgpuProgram? CreateIlgpuProgram() => null;", none);
    }

    // ---- The kernels on the CPU accelerator against the CPU runtime ----

    private const int Batch = 7; // ragged: no multiple of a vector width or of a GEMM tile

    public static TheoryData<string, string> Activations() => new()
    {
        { nameof(LinearClassifier), nameof(Linear) }, { nameof(ReluClassifier), nameof(Relu) }, { nameof(TanhClassifier), nameof(Tanh) },
        { nameof(SigmoidClassifier), nameof(Sigmoid) }, { nameof(OneHotNet), nameof(LeakyRelu) }, { nameof(BinarySigmoidNet), nameof(Elu) },
        { nameof(OneHotFromLogitsNet), nameof(Softplus) }, { nameof(BinaryFromLogitsNet), nameof(Gelu) },
    };

    /// <summary>
    /// A hidden layer's GEMM, then its ILGPU epilogue kernel, against the CPU GEMM with the epilogue fused: forward,
    /// c = act(x·W + bias); backward, c = (dz·Wᵀ) ⊙ act'(saved). The GEMM is the CPU's in both, so the kernels alone differ.
    /// </summary>
    [Theory]
    [MemberData(nameof(Activations))]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuGemmEpilogues(string modelName, string activation)
    {
        var model = Create(typeof(MnistReference).Assembly.GetType($"{typeof(MnistReference).Namespace}.{modelName}")!);
        var hidden = model.Layers[0];
        int k = hidden.Inputs, n = hidden.Units, outputs = model.Layers[1].Units;
        float[] x = Data(Batch * k, 1), w = Data(k * n, 2), bias = Data(n, 3), dz = Data(Batch * outputs, 4), wOut = Data(n * outputs, 5), saved = Data(Batch * n, 6);

        var expected = new float[Batch * n];
        CpuEpilogues.ForActivation(activation).Forward(x, w, bias, expected, Batch, n, k);
        var actual = new float[Batch * n];
        Gemm.Multiply(GemmLayout.NN, Batch, n, k, x, w, actual);
        string name = activation == nameof(Linear) ? "HiddenBias" : "HiddenBias" + activation;
        Launch(Kernel(model, name), Batch * n, actual, bias);
        AssertClose(expected, actual);

        if (activation == nameof(Linear)) return; // no backward epilogue: the derivative is 1
        CpuEpilogues.ForActivation(activation).Backward(dz, wOut, saved, expected, Batch, n, outputs);
        Gemm.Multiply(GemmLayout.NT, Batch, n, outputs, dz, wOut, actual);
        Launch(Kernel(model, "Hidden" + activation + "Gradient"), Batch * n, actual, saved);
        AssertClose(expected, actual);
    }

    [Fact]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuSparseSoftmaxCrossEntropy()
    {
        const int classes = 3; // ReluClassifier's output
        var logits = Data(Batch * classes, 7, scale: 30); // large logits: no overflow
        var labels = Enumerable.Range(0, Batch).Select(i => (i * 5) % classes).ToArray();
        float[] p = new float[logits.Length], dz = new float[logits.Length], ilgpuP = new float[logits.Length], ilgpuDz = new float[logits.Length], rowLoss = new float[Batch];
        float loss = LossKernels.SoftmaxCrossEntropy(logits, labels, p, dz, Batch, classes);
        Launch(Kernel(new ReluClassifier(1), "OutputSoftmaxCrossEntropy"), Batch, logits, labels, ilgpuP, ilgpuDz, rowLoss, Batch);
        AssertClose(p, ilgpuP);
        AssertClose(dz, ilgpuDz);
        AssertClose([loss], [rowLoss.Average()]);

        var softmax = new float[logits.Length];
        Launch(Kernel(new ReluClassifier(1), "OutputSoftmax"), Batch, logits, softmax);
        AssertClose(p, softmax);
    }

    [Fact]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuCategoricalCrossEntropy()
    {
        const int classes = 4; // OneHotNet's output
        var logits = Data(Batch * classes, 8, scale: 5);
        var targets = Data(Batch * classes, 9).Select(v => v + 2).ToArray(); // soft targets, rows that do not sum to 1
        float[] p = new float[logits.Length], dz = new float[logits.Length], ilgpuP = new float[logits.Length], ilgpuDz = new float[logits.Length], rowLoss = new float[Batch];
        float loss = LossKernels.SoftmaxCrossEntropy(logits, targets, p, dz, Batch, classes);
        Launch(Kernel(new OneHotNet(1), "OutputSoftmaxCrossEntropy"), Batch, logits, targets, ilgpuP, ilgpuDz, rowLoss, Batch);
        AssertClose(p, ilgpuP);
        AssertClose(dz, ilgpuDz);
        AssertClose([loss], [rowLoss.Average()]);
    }

    [Fact]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuSigmoidCrossEntropy()
    {
        const int columns = 3; // BinaryFromLogitsNet's output
        var logits = Data(Batch * columns, 10, scale: 40); // e^|z| beyond float: the stable form matters
        var targets = Data(Batch * columns, 11).Select(v => v > 0 ? 1f : 0f).ToArray();
        float[] p = new float[logits.Length], dz = new float[logits.Length], ilgpuP = new float[logits.Length], ilgpuDz = new float[logits.Length], rowLoss = new float[logits.Length];
        float loss = LossKernels.SigmoidCrossEntropy(logits, targets, p, dz, Batch, columns);
        Launch(Kernel(new BinaryFromLogitsNet(1), "OutputSigmoidCrossEntropy"), Batch * columns, logits, targets, ilgpuP, ilgpuDz, rowLoss, Batch);
        AssertClose(p, ilgpuP);
        AssertClose(dz, ilgpuDz);
        AssertClose([loss], [rowLoss.Average()]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuRegressionLosses(bool squared)
    {
        CompiledModel model = squared ? new Regressor(1) : new MaeRegressor(1);
        const int columns = 2; // both models' outputs
        var output = Data(Batch * columns, 12);
        var targets = Data(Batch * columns, 13);
        targets[3] = output[3]; // y = t: MAE's gradient is 0 there
        float[] dy = new float[output.Length], ilgpuDy = new float[output.Length], rowLoss = new float[output.Length];
        float loss = squared ? LossKernels.MeanSquaredError(output, targets, dy, Batch, columns) : LossKernels.MeanAbsoluteError(output, targets, dy, Batch, columns);
        Launch(Kernel(model, squared ? "LossMeanSquaredError" : "LossMeanAbsoluteError"), Batch * columns, output, targets, ilgpuDy, rowLoss, Batch);
        AssertClose(dy, ilgpuDy);
        AssertClose([loss], [rowLoss.Average()]);
    }

    [Fact]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuColumnSumsAndActivations()
    {
        // Column sums: MnistReference's hidden bias gradient, (B, 512) → (512).
        var source = Data(Batch * 512, 14);
        float[] sums = new float[512], ilgpuSums = new float[512];
        Kernels.ColumnSums(source, sums, Batch, 512);
        Launch(Kernel(new MnistReference(1), "HiddenColumnSums"), 512, source, ilgpuSums, Batch);
        AssertClose(sums, ilgpuSums);

        // gelu as a kernel of its own (BinaryFromLogitsNet keeps its input for the backward pass), (B, 11).
        var x = Data(Batch * 11, 15, scale: 4);
        float[] y = new float[x.Length], ilgpuY = new float[x.Length];
        Kernels.Activate<Gelu>(x, y, x.Length);
        Launch(Kernel(new BinaryFromLogitsNet(1), "HiddenGelu"), x.Length, x, ilgpuY);
        AssertClose(y, ilgpuY);

        // The sigmoid output's backward pass under the mean absolute error (MaeRegressor), (B, 2).
        var dy = Data(Batch * 2, 16);
        var saved = Data(Batch * 2, 17).Select(v => (v + 2) / 4).ToArray(); // sigmoid outputs, in (0, 1)
        float[] dx = new float[dy.Length], ilgpuDx = new float[dy.Length];
        Kernels.ActivationBackward<Sigmoid>(dy, saved, dx, dy.Length);
        Launch(Kernel(new MaeRegressor(1), "OutputSigmoidBackward"), dy.Length, dy, saved, ilgpuDx);
        AssertClose(dx, ilgpuDx);
    }

    [Fact]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuElementwiseTensorOps()
    {
        var model = new ElementwiseNet(1);
        const int count = Batch * 8;
        float[] a = Data(count, 18, scale: 3), b = Data(count, 19, scale: 3), positive = a.Select(v => Math.Abs(v) + 0.1f).ToArray();
        for (int i = 0; i < count; i += 5) b[i] = a[i]; // ties, for the masks and for max/min
        a[1] = 0f;
        a[2] = -0f;
        int[] dims = [Batch, 8];
        var cases = new (string Kernel, object[] Inputs, Action<float[]> Cpu)[]
        {
            ("Negate", [a], y => System.Numerics.Tensors.TensorPrimitives.Negate(a, y)),
            ("MultiplyBConstant", [a, 0.5f], y => System.Numerics.Tensors.TensorPrimitives.Multiply(a, 0.5f, y)),
            ("AddBConstant", [a, 1f], y => System.Numerics.Tensors.TensorPrimitives.Add(a, 1f, y)),
            ("Add", [a, b], y => System.Numerics.Tensors.TensorPrimitives.Add(a, b, y)),
            ("Subtract", [a, b], y => System.Numerics.Tensors.TensorPrimitives.Subtract(a, b, y)),
            ("Multiply", [a, b], y => System.Numerics.Tensors.TensorPrimitives.Multiply(a, b, y)),
            ("Divide", [a, positive], y => System.Numerics.Tensors.TensorPrimitives.Divide(a, positive, y)),
            ("Maximum", [a, b], y => System.Numerics.Tensors.TensorPrimitives.Max(a, b, y)),
            ("Minimum", [a, b], y => System.Numerics.Tensors.TensorPrimitives.Min(a, b, y)),
            ("Square", [a], y => System.Numerics.Tensors.TensorPrimitives.Multiply(a, a, y)),
            ("Exp", [a], y => System.Numerics.Tensors.TensorPrimitives.Exp(a, y)),
            ("Log", [positive], y => System.Numerics.Tensors.TensorPrimitives.Log(positive, y)),
            ("Sqrt", [positive], y => System.Numerics.Tensors.TensorPrimitives.Sqrt(positive, y)),
            ("Abs", [a], y => System.Numerics.Tensors.TensorPrimitives.Abs(a, y)),
            ("Sign", [a], y => TensorKernels.Sign(a, y)),
            ("GreaterEqual", [a, b], y => TensorKernels.GreaterEqual(a, dims, b, dims, y, dims)),
        };
        foreach (var (kernel, inputs, cpu) in cases)
        {
            float[] expected = new float[count], actual = new float[count];
            cpu(expected);
            Launch(Kernel(model, kernel), count, [.. inputs, actual]);
            AssertClose(expected, actual);
        }

        // x + relu(x·W + b): ResidualNet's Add (it reuses the element-wise kernels above).
        float[] sum = new float[count], ilgpuSum = new float[count];
        System.Numerics.Tensors.TensorPrimitives.Add(a, b, sum);
        Launch(Kernel(new ResidualNet(1), "Add"), count, a, b, ilgpuSum);
        AssertClose(sum, ilgpuSum);
    }

    [Fact]
    public void IlgpuKernelsRunOnTheCpuAcceleratorAsTheCpuSlicesAndConcatenations()
    {
        // TwoInputNet: x (B, 69) is image (B, 64) and side (B, 5) side by side, joined again by a concat.
        var model = new TwoInputNet(1);
        var x = Data(Batch * 69, 20);
        float[] image = new float[Batch * 64], side = new float[Batch * 5], ilgpuImage = new float[Batch * 64], ilgpuSide = new float[Batch * 5];
        TensorKernels.CopyBlock(x, 69, 0, image, 64, 0, Batch, 64);
        TensorKernels.CopyBlock(x, 69, 64, side, 5, 0, Batch, 5);
        Launch(Kernel(model, "InputSlice"), Batch * 64, x, ilgpuImage);
        Launch(Kernel(model, "InputSlice2"), Batch * 5, x, ilgpuSide);
        AssertClose(image, ilgpuImage);
        AssertClose(side, ilgpuSide);

        var joined = new float[Batch * 69];
        Launch(Kernel(model, "JoinedConcat"), Batch * 64, image, joined);
        Launch(Kernel(model, "JoinedConcat2"), Batch * 5, side, joined);
        AssertClose(x, joined);
    }

    // ---- Helpers ----

    private static CompiledModel Create(Type model) => (CompiledModel)Activator.CreateInstance(model, [1, null, null])!;

    /// <summary>A loaded kernel of the model's program, by its method's name: the delegate Load stored in its field.</summary>
    private Delegate Kernel(CompiledModel model, string method)
    {
        if (!_programs.TryGetValue(model.GetType(), out var program))
        {
            program = model.CreateIlgpuProgram() ?? throw new Xunit.Sdk.XunitException($"{model.GetType().Name} has no ILGPU program");
            program.Load(_cpu);
            _programs[model.GetType()] = program;
        }
        var field = program.GetType().GetField("_" + char.ToLowerInvariant(method[0]) + method[1..], BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new Xunit.Sdk.XunitException($"{model.GetType().Name}'s ILGPU program has no kernel {method}");
        return (Delegate)field.GetValue(program)!;
    }

    /// <summary>Launches a kernel over <paramref name="extent"/> threads: arrays go to the accelerator as views and come back, ints as they are.</summary>
    private void Launch(Delegate kernel, int extent, params object[] arguments)
    {
        var floats = new List<(MemoryBuffer1D<float, Stride1D.Dense> Buffer, float[] Host)>();
        var buffers = new List<MemoryBuffer>();
        var args = new List<object> { new Index1D(extent) };
        foreach (var argument in arguments)
        {
            switch (argument)
            {
                case float[] values:
                    var f = _cpu.Allocate1D(values);
                    floats.Add((f, values));
                    buffers.Add(f);
                    args.Add((ArrayView<float>)f.View);
                    break;
                case int[] values:
                    var i = _cpu.Allocate1D(values);
                    buffers.Add(i);
                    args.Add((ArrayView<int>)i.View);
                    break;
                default:
                    args.Add(argument);
                    break;
            }
        }
        kernel.DynamicInvoke(args.ToArray());
        _cpu.Synchronize();
        foreach (var (buffer, host) in floats) buffer.GetAsArray1D().CopyTo(host, 0);
        foreach (var buffer in buffers) buffer.Dispose();
    }

    private static float[] Data(int count, int seed, float scale = 2)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }

    /// <summary>Within 1e-5 relative (and 1e-6 absolute, for values near 0 that two roundings of the same math put apart).</summary>
    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Abs(expected[i]) + 1e-6, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    /// <summary>The CPU GEMM with each activation's epilogues fused, chosen by name.</summary>
    private abstract class CpuEpilogues
    {
        public abstract void Forward(float[] x, float[] w, float[] bias, float[] c, int m, int n, int k);
        public abstract void Backward(float[] dz, float[] w, float[] saved, float[] c, int m, int n, int k);

        public static CpuEpilogues ForActivation(string name) => name switch
        {
            nameof(Linear) => new Of<Linear>(),
            nameof(Relu) => new Of<Relu>(),
            nameof(Tanh) => new Of<Tanh>(),
            nameof(Sigmoid) => new Of<Sigmoid>(),
            nameof(LeakyRelu) => new Of<LeakyRelu>(),
            nameof(Elu) => new Of<Elu>(),
            nameof(Softplus) => new Of<Softplus>(),
            nameof(Gelu) => new Of<Gelu>(),
            _ => throw new ArgumentException(name),
        };

        private sealed class Of<T> : CpuEpilogues where T : IActivation
        {
            public override void Forward(float[] x, float[] w, float[] bias, float[] c, int m, int n, int k)
                => Gemm.Multiply(GemmLayout.NN, m, n, k, x, w, c, new BiasActivation<T>(bias));

            public override void Backward(float[] dz, float[] w, float[] saved, float[] c, int m, int n, int k)
                => Gemm.Multiply(GemmLayout.NT, m, n, k, dz, w, c, new ActivationGradient<T>(saved, n));
        }
    }
}
