using System.Reflection;
using GraphGen.Cpu;
using GraphGen.Ilgpu;
using GraphGen.Testing;
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
/// Hopper with ILGPU's own backend, every program loads on ILGPU's CPU accelerator, describes its buffers, and is there
/// wherever its plan is covered (<see cref="IlgpuKernelTests"/> runs the kernels against the CPU runtime's).
/// </summary>
public sealed class IlgpuProgramTests : IlgpuCpuTest
{
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
    public void IlgpuProgramsDescribeTheirBuffersAndLosses()
    {
        Assert.Equal(1, new MnistReference(1).CreateIlgpuProgram()!.LossValuesPerRow);
        Assert.Equal(3, new BinaryFromLogitsNet(1).CreateIlgpuProgram()!.LossValuesPerRow);
        Assert.Equal(["hidden_out", "output_z", "output_probs", "d_output_z", "d_hidden_z"], new MnistReference(1).CreateIlgpuProgram()!.Buffers.Select(b => b.Name));
        // B on any axis: a (B, B) value holds B² values, a fixed-size one its width, a (B, n) one n per row.
        var overBatch = new SoftmaxOverBatchNet(1).CreateIlgpuProgram()!.Buffers;
        Assert.Contains(new IlgpuBufferSpec("result_softmax", 1, 2), overBatch);
        Assert.Equal(49, new IlgpuBufferSpec("pairs", 1, 2).Length(7));
        Assert.Contains(new GramNet(1).CreateIlgpuProgram()!.Buffers, b => b.BatchAxes == 0 && b.Width == 36); // hᵀ·h, (6, 6)
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
        Assert.Contains("protected override global::GraphGen.Ilgpu.IlgpuProgram? CreateIlgpuProgram() => new IlgpuPlan();", pooled.GeneratedText("Demo.Pooled.ilgpu.g.cs"));
        var gram = GeneratorHarness.Run(
            "using GraphGen;\nnamespace Demo;\n[Model(Loss = Loss.MeanSquaredError)] public sealed partial class OverBatch\n{\n" +
            "    [Parameter(3, 4)] public partial Parameter W { get; }\n" +
            "    [Forward] public Tensor Call([Shape(3)] Tensor x) => Op.MatMul(Op.MatMul(Op.MatMul(x, Op.Transpose(x)), x), W);\n}");
        Assert.Empty(gram.CompilationDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        // A (B, B) product over the batch gets a program too, its buffer B² values and B an argument of the kernels that size by it.
        string overBatch = gram.GeneratedText("Demo.OverBatch.ilgpu.g.cs");
        Assert.Contains("protected override global::GraphGen.Ilgpu.IlgpuProgram? CreateIlgpuProgram() => new IlgpuPlan();", overBatch);
        Assert.Contains("IlgpuBufferSpec(\"result_matmul\", 1, BatchAxes: 2), // 0: (B, B)", overBatch);
    }
}
