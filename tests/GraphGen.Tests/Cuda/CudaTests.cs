using System.Diagnostics;
using System.Reflection;
using GraphGen.Cuda;
using GraphGen.Ilgpu;
using GraphGen.Tests.Models;
using GraphGen.Training;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace GraphGen.Tests.Cuda;

/// <summary>A fact that needs a GPU and its driver: skipped, with the reason, where there is none (CI, most machines).</summary>
public sealed class GpuFactAttribute : FactAttribute
{
    public GpuFactAttribute()
    {
        if (Devices.CudaStatus is { } reason) Skip = $"No GPU: {reason}";
    }
}

/// <summary>
/// The CUDA device as ILGPU's CUDA backend offers it: the device list and a missing driver give clear answers,
/// training on the CPU never loads a CUDA library, and, with a GPU, a generated kernel on it matches the CPU's.
/// </summary>
public class CudaTests
{
    /// <summary>Dense and [Forward] models of every loss; each has an ILGPU program (IlgpuProgramTests).</summary>
    public static IEnumerable<object[]> Models() =>
    [
        [new MnistReference(1)], [new ThreeLayerClassifier(1)], [new Regressor(1)], [new BinaryFromLogitsNet(1)], [new BinarySigmoidNet(1)],
        [new OneHotNet(1)], [new OneHotFromLogitsNet(1)], [new MaeRegressor(1)], [new SparseFromLogitsNet(1)], [new FiftyLayerNet(1)],
        [new DigitsForwardMlp(1)],
    ];

    [Fact]
    public void WithoutADriverTheDeviceListIsTheCpusAndAGpuIsAClearError()
    {
        var list = Devices.List();
        Assert.Equal(DeviceKind.Cpu, list[0].Kind);
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.Cuda(-1));
        Assert.Equal("CUDA:3", Device.Cuda(3).ToString());
        if (Devices.CudaStatus is not { } reason)
        {
            Assert.Contains(list, d => d.Kind == DeviceKind.Cuda); // a GPU machine: listed with name, memory, capability
            int count = list.Count(d => d.Kind == DeviceKind.Cuda);
            Assert.Contains($"There is no CUDA:{count}; ILGPU finds {count} GPU(s)", Assert.Throws<CudaUnavailableException>(() => Device.Cuda(count).Describe()).Message);
            return;
        }
        Assert.Equal([DeviceKind.Cpu, DeviceKind.IlgpuCpu], list.Select(d => d.Kind)); // ILGPU's CPU accelerator is always there
        var e = Assert.Throws<CudaUnavailableException>(() => Device.Cuda(0).Describe());
        Assert.Equal(reason, e.Message);
        // What is missing, by name: the driver library ILGPU loads, or a GPU behind it.
        Assert.Matches(@"No NVIDIA driver: libcuda\.so, libcuda\.so\.1 could not be loaded|installed but not libcuda\.so|finds no GPU it can run on", e.Message);
        Assert.Equal(reason, Assert.Throws<CudaUnavailableException>(() => new MnistReference(1).To(Device.Cuda(0))).Message); // placing a model says the same
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
            Assert.DoesNotMatch("libcuda|libcublas|libnvvm", loads);
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
            Assert.Equal(gpu, Device.Cuda(gpu.Index).Describe());
        }
    }

    [GpuFact]
    public void TheGeneratedLossKernelOnTheGpuMatchesTheCpu()
    {
        // The reference model's fused softmax cross-entropy, compiled by ILGPU to PTX, against the C# kernel on the
        // same logits. On the GPU exp is ex2.approx, so the values agree to within float rounding, not bit for bit.
        using var accelerator = IlgpuAccelerators.Create(Device.Cuda(0));
        var program = new MnistReference(1).CreateIlgpuProgram()!;
        program.Load(accelerator);
        var kernel = (Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>)program.GetType()
            .GetField("_outputSoftmaxCrossEntropy", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(program)!;
        const int rows = 37, classes = 10;
        var logits = GeneratedModelTests.Data(rows * classes, 3).Select(v => v * 4).ToArray();
        var labels = Enumerable.Range(0, rows).Select(i => i * 7 % classes).ToArray();
        var (probabilities, gradient) = (new float[rows * classes], new float[rows * classes]);
        float expected = GraphGen.Cpu.LossKernels.SoftmaxCrossEntropy(logits, labels, probabilities, gradient, rows, classes);

        using var z = accelerator.Allocate1D(logits);
        using var t = accelerator.Allocate1D(labels);
        using var p = accelerator.Allocate1D<float>(rows * classes);
        using var dz = accelerator.Allocate1D<float>(rows * classes);
        using var rowLoss = accelerator.Allocate1D<float>(rows);
        kernel(new Index1D(rows), z.View, t.View, p.View, dz.View, rowLoss.View, rows);
        accelerator.Synchronize();
        var (gpuProbabilities, gpuGradient) = (p.GetAsArray1D(), dz.GetAsArray1D());
        Assert.Equal(expected, rowLoss.GetAsArray1D().Average(), 1e-5f);
        for (int i = 0; i < rows * classes; i++)
        {
            Assert.Equal(probabilities[i], gpuProbabilities[i], 1e-5f);
            Assert.Equal(gradient[i], gpuGradient[i], 1e-6f);
        }
    }
}
