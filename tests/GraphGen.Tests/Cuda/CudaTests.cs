using System.Diagnostics;
using System.Text.RegularExpressions;
using GraphGen.Cuda;
using GraphGen.Tests.Models;
using GraphGen.Training;
using Xunit;

namespace GraphGen.Tests.Cuda;

/// <summary>A fact that needs NVRTC (no GPU): skipped, with the reason, where the library cannot be loaded.</summary>
public sealed class NvrtcFactAttribute : FactAttribute
{
    public NvrtcFactAttribute()
    {
        try { _ = Nvrtc.Version; }
        catch (CudaUnavailableException e) { Skip = $"NVRTC is not installed here ({e.Message}); .ci/run installs Debian's libnvrtc11.2."; }
    }
}

/// <summary>A fact that needs a GPU and its driver: skipped, with the reason, where there is none (CI, most machines).</summary>
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute()
    {
        if (Devices.CudaStatus is { } reason) Skip = $"No GPU: {reason}";
    }
}

/// <summary>
/// What can be proven without a GPU: the generated CUDA C of every test model compiles with NVRTC into a kernel image
/// per architecture (PTX and cubins, cached), compile errors carry NVRTC's log, the device list and a missing driver
/// give clear answers, and training on the CPU never loads a CUDA library.
/// </summary>
public class CudaTests
{
    public static IEnumerable<object[]> Models() =>
    [
        [new MnistReference(1)], [new ThreeLayerClassifier(1)], [new Regressor(1)], [new BinaryFromLogitsNet(1)], [new BinarySigmoidNet(1)],
        [new OneHotNet(1)], [new OneHotFromLogitsNet(1)], [new MaeRegressor(1)], [new SparseFromLogitsNet(1)], [new FiftyLayerNet(1)],
        [new DigitsForwardMlp(1)],
    ];

    [NvrtcFact]
    public void EveryGeneratedCudaSourceCompilesForHopperAndAmpere()
    {
        foreach (var row in Models())
        {
            var model = (CompiledModel)row[0];
            string source = model.CudaSource ?? throw new Xunit.Sdk.XunitException($"{model.GetType().Name} has no CUDA source");
            var entries = Regex.Matches(source, @"__global__ void (\w+)\(").Select(m => m.Groups[1].Value).ToList();
            Assert.Matches(@"^libnvrtc\.so\.(13|12|11\.2)$", NativeLibraries.Loaded[NativeLibraries.Nvrtc]); // a versioned file, the newest present
            Assert.Contains("graphgen_mean", entries);
            foreach (var (capability, cubin) in new[] { (new ComputeCapability(9, 0), false), (new ComputeCapability(9, 0), true), (new ComputeCapability(8, 0), true) })
            {
                var compiled = Nvrtc.Compile(model.GetType().Name, source, capability, cubin, useCache: false);
                Assert.NotEmpty(compiled.Image);
                if (cubin) continue;
                string ptx = System.Text.Encoding.UTF8.GetString(compiled.Image);
                Assert.Contains(".target sm_90", ptx);
                foreach (string entry in entries) Assert.Contains($".entry {entry}(", ptx); // extern "C": the names the launcher asks for
            }
        }
    }

    [NvrtcFact]
    public void TheOptimizerUpdateKernelsCompile()
    {
        string ptx = System.Text.Encoding.UTF8.GetString(Nvrtc.Compile("updates", UpdateKernels.Source, new ComputeCapability(9, 0), cubin: false, useCache: false).Image);
        foreach (string kernel in new[] { "graphgen_sgd", "graphgen_sgd_momentum", "graphgen_rmsprop", "graphgen_adam", "graphgen_adagrad" })
            Assert.Contains($".entry {kernel}(", ptx);
    }

    [Fact]
    public void EachOptimizerStepMapsToItsKernelAndTheCpusHyperparameters()
    {
        var sgd = UpdateKernels.For(new Sgd(), 1);
        Assert.Equal(("graphgen_sgd", 0), (sgd.Kernel, sgd.Slots));
        Assert.Equal([0.01f], sgd.Hyperparameters);
        Assert.Equal([0.1f, 0.9f, 1f], UpdateKernels.For(new Sgd(0.1f, momentum: 0.9f, nesterov: true), 5).Hyperparameters);
        var rms = UpdateKernels.For(new RmsProp(0.01f, rho: 0.8f, momentum: 0.5f, centered: true), 2);
        Assert.Equal(("graphgen_rmsprop", 3), (rms.Kernel, rms.Slots)); // velocity, average_gradient, momentum
        Assert.Equal([0.01f, 0.8f, 0.5f, 1e-7f, 1f], rms.Hyperparameters);
        // Adam's bias correction as the CPU computes it at that step, and a schedule read at the step's iteration.
        var schedule = LearningRateSchedule.ExponentialDecay(0.01f, 1, 0.5f);
        var adam = UpdateKernels.For(new Adam(schedule), 3);
        Assert.Equal(0.0025f, schedule.At(2), 1e-9f); // step 3 reads the schedule after 2 iterations
        Assert.Equal((float)(schedule.At(2) * Math.Sqrt(1 - Math.Pow(0.999f, 3)) / (1 - Math.Pow(0.9f, 3))), adam.Hyperparameters[0]); // float betas, as Adam.Update
        Assert.Equal([0.001f, 1e-7f], UpdateKernels.For(new Adagrad(), 1).Hyperparameters);
        Assert.Throws<ArgumentOutOfRangeException>(() => UpdateKernels.For(new Sgd(), 0));
    }

    [Fact]
    public void AModelOfGeneralTensorOpsSaysItHasNoCudaYet()
        => Assert.Null(new ResidualNet(1).CudaSource); // its plan has element-wise tensor kernels, lowered to C# only

    [NvrtcFact]
    public void ACompileErrorCarriesNvrtcsLogWithTheLine()
    {
        var e = Assert.Throws<CudaCompileException>(() => Nvrtc.Compile("broken", "extern \"C\" __global__ void k(float* x)\n{\n    x[0] = undefined_name;\n}\n",
            new ComputeCapability(9, 0), useCache: false));
        Assert.Equal("broken", e.Program);
        Assert.Matches(@"broken\.cu\(3\): error: identifier ""undefined_name"" is undefined", e.Log);
    }

    [NvrtcFact]
    public void CompiledImagesAreCachedPerArchitecture()
    {
        string folder = Directory.CreateTempSubdirectory("graphgen-cuda-cache").FullName;
        string? previous = Environment.GetEnvironmentVariable("GRAPHGEN_CUDA_CACHE");
        Environment.SetEnvironmentVariable("GRAPHGEN_CUDA_CACHE", folder);
        try
        {
            string source = new MnistReference(1).CudaSource!;
            var first = Nvrtc.Compile("MnistReference", source, new ComputeCapability(9, 0));
            var files = Directory.GetFiles(folder);
            Assert.Single(files);
            File.WriteAllBytes(files[0], [1, 2, 3]); // a second compile must read this file, not compile again
            Assert.Equal(new byte[] { 1, 2, 3 }, Nvrtc.Compile("MnistReference", source, new ComputeCapability(9, 0)).Image);
            Assert.NotEmpty(first.Image);
            Nvrtc.Compile("MnistReference", source, new ComputeCapability(8, 0));
            Assert.Equal(2, Directory.GetFiles(folder).Length); // another architecture, another image
        }
        finally
        {
            Environment.SetEnvironmentVariable("GRAPHGEN_CUDA_CACHE", previous);
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void WithoutADriverTheDeviceListIsTheCpusAndAGpuIsAClearError()
    {
        var list = Devices.List();
        Assert.Equal(DeviceKind.Cpu, list[0].Kind);
        if (Devices.CudaStatus is not { } reason)
        {
            Assert.Contains(list, d => d.Kind == DeviceKind.Cuda); // a GPU machine: listed with name, memory, capability
            return;
        }
        Assert.Equal([DeviceKind.Cpu, DeviceKind.IlgpuCpu], list.Select(d => d.Kind)); // ILGPU's CPU accelerator is always there
        var e = Assert.Throws<CudaUnavailableException>(() => Device.Cuda(0).Describe());
        Assert.Equal(reason, e.Message);
        Assert.Matches("No NVIDIA driver: libcuda.so.1, libcuda.so could not be loaded|reports no GPU", e.Message);
        Assert.Throws<CudaUnavailableException>(() => new CudaBackend(Device.Cuda(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.Cuda(-1));
        Assert.Equal("CUDA:3", Device.Cuda(3).ToString());
    }

    [Fact]
    public async Task TrainingOnTheCpuLoadsNoCudaLibrary()
    {
        // The crash-safety child trains, checkpoints and saves on the CPU; glibc's LD_DEBUG lists every library it loads.
        string folder = Directory.CreateTempSubdirectory("graphgen-lazy").FullName;
        try
        {
            string child = Training.CrashSafetyTests.ChildPath();
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in new[] { child, folder, "2" }) start.ArgumentList.Add(a);
            start.Environment["LD_DEBUG"] = "libs";
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)));
            Assert.Contains("done", stdout);
            string loads = await stderr;
            Assert.Contains("calling init:", loads); // LD_DEBUG works here, so silence below means something
            Assert.DoesNotMatch("libcuda|libnvrtc|libcublas", loads);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [GpuFact]
    public void TheDeviceListDescribesEveryGpu()
    {
        foreach (var gpu in Devices.List().Where(d => d.Kind == DeviceKind.Cuda))
        {
            Assert.False(string.IsNullOrWhiteSpace(gpu.Name));
            Assert.True(gpu.MemoryBytes > 0 && gpu.Capability is { Major: >= 3 } && gpu.Multiprocessors > 0, gpu.ToString());
        }
    }

    [GpuFact]
    public void GeneratedKernelsLoadAndTheLossKernelMatchesTheCpu()
    {
        // One launch of the reference model's fused softmax cross-entropy against the C# kernel on the same logits.
        using var backend = new CudaBackend(Device.Cuda(0));
        var capability = backend.Description.Capability!.Value;
        backend.Load(Nvrtc.Compile("MnistReference", new MnistReference(1).CudaSource!, capability));
        const int rows = 37, classes = 10;
        var logits = GeneratedModelTests.Data(rows * classes, 3).Select(v => v * 4).ToArray();
        var labels = Enumerable.Range(0, rows).Select(i => i * 7 % classes).ToArray();
        var (probabilities, gradient) = (new float[rows * classes], new float[rows * classes]);
        float expected = GraphGen.Cpu.LossKernels.SoftmaxCrossEntropy(logits, labels, probabilities, gradient, rows, classes);

        var z = backend.Allocate(rows * classes);
        var t = backend.Allocate(rows);
        var p = backend.Allocate(rows * classes);
        var dz = backend.Allocate(rows * classes);
        var rowLoss = backend.Allocate(rows);
        var loss = backend.Allocate(1);
        backend.Upload(logits, z);
        backend.Upload(labels.Select(BitConverter.Int32BitsToSingle).ToArray(), t); // the int labels' bits
        Launch(backend, "output_softmax_cross_entropy", (1, 1), 64, z.Address, t.Address, p.Address, dz.Address, rowLoss.Address, rows);
        Launch(backend, "graphgen_mean", (1, 1), 1024, rowLoss.Address, loss.Address, rows);
        var (gpuProbabilities, gpuGradient, gpuLoss) = (new float[rows * classes], new float[rows * classes], new float[1]);
        backend.Download(p, gpuProbabilities);
        backend.Download(dz, gpuGradient);
        backend.Download(loss, gpuLoss);
        Assert.Equal(expected, gpuLoss[0], 1e-5f);
        for (int i = 0; i < rows * classes; i++)
        {
            Assert.Equal(probabilities[i], gpuProbabilities[i], 1e-5f);
            Assert.Equal(gradient[i], gpuGradient[i], 1e-6f);
        }
        foreach (var buffer in new[] { z, t, p, dz, rowLoss, loss }) backend.Free(buffer);
    }

    private static unsafe void Launch(CudaBackend backend, string kernel, (uint, uint) grid, uint block, ulong a, ulong b, ulong c, ulong d, ulong e, int rows)
    {
        int r = rows;
        nint* args = stackalloc nint[] { (nint)(&a), (nint)(&b), (nint)(&c), (nint)(&d), (nint)(&e), (nint)(&r) };
        backend.Launch(kernel, grid, block, new ReadOnlySpan<nint>(args, 6));
    }

    private static unsafe void Launch(CudaBackend backend, string kernel, (uint, uint) grid, uint block, ulong values, ulong result, int count)
    {
        int n = count;
        nint* args = stackalloc nint[] { (nint)(&values), (nint)(&result), (nint)(&n) };
        backend.Launch(kernel, grid, block, new ReadOnlySpan<nint>(args, 3));
        backend.Synchronize();
    }
}
