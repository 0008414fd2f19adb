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
/// ILGPU's CPU accelerator for the tests of the generated ILGPU programs — the runtime's own, as a placed model gets it
/// (<see cref="IlgpuCpuAccelerator"/>) — with its context for the PTX backend, a model's loaded kernels by name, a
/// launch over host arrays, seeded data, and the comparison with the CPU runtime (within 1e-5 relative).
/// </summary>
public abstract class IlgpuCpuTest : IDisposable
{
    private readonly IlgpuCpuAccelerator _device = new();
    protected readonly CPUAccelerator _cpu;
    private readonly Dictionary<Type, IlgpuProgram> _programs = new();

    protected IlgpuCpuTest() => _cpu = (CPUAccelerator)_device.Accelerator;

    /// <summary>The runtime's CPU context (with the Algorithms library, which gives PTX its MathF.Exp, Log and Tanh).</summary>
    protected Context _context => _cpu.Context;

    public void Dispose() => _device.Dispose();

    protected static CompiledModel Create(Type model) => (CompiledModel)Activator.CreateInstance(model, [1, null, null])!;

    /// <summary>A loaded kernel of the model's program, by its method's name: the delegate Load stored in its field.</summary>
    protected Delegate Kernel(CompiledModel model, string method)
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
    protected void Launch(Delegate kernel, int extent, params object[] arguments)
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

    protected static float[] Data(int count, int seed, float scale = 2)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }

    /// <summary>Within 1e-5 relative (and 1e-6 absolute, for values near 0 that two roundings of the same math put apart).</summary>
    protected static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Abs(expected[i]) + 1e-6, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

}
