using System.Diagnostics;
using System.Text;
using System.Text.Json;
using GraphGen.Data;
using GraphGen.Serialization;
using GraphGen.Tests.Models;
using Xunit;

namespace GraphGen.Tests.Training;

/// <summary>Weights on disk: safetensors written, read back, read by an independent reader, and checked on load.</summary>
public class SerializationTests
{
    [Fact]
    public void WeightsRoundTrip()
    {
        string path = Path.Combine(FitTests.TempFolder(), "mnist.safetensors");
        var model = new MnistReference(seed: 1);
        model.SaveWeights(path);
        var copy = new MnistReference(seed: 2);
        copy.LoadWeights(path);
        for (int p = 0; p < model.Weights.Count; p++) Assert.Equal(model.Weights[p].Data, copy.Weights[p].Data);
        var file = SafeTensors.Open(path);
        Assert.Equal(new long[] { 784, 512 }, file.Entries.Single(e => e.Name == "hidden.weight").Shape);
        Assert.All(file.Entries, e => Assert.Equal("F32", e.DType));
        Assert.Equal("graphgen.weights/1", file.Metadata["format"]);
        // The header is padded to 8 bytes, so the data section starts aligned.
        Assert.Equal(0, BitConverter.ToInt64(File.ReadAllBytes(path), 0) % 8);
    }

    [Fact]
    public void AnIndependentReaderReadsTheWeightsFile()
    {
        string path = Path.Combine(FitTests.TempFolder(), "weights.safetensors");
        var model = new ThreeLayerClassifier(seed: 3);
        model.SaveWeights(path);
        string script = Path.Combine(AppContext.BaseDirectory, "Interop", "read_safetensors.py");
        var start = new ProcessStartInfo("python3", [script, path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start (the CI installs it)");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
        using var json = JsonDocument.Parse(output);
        var tensors = json.RootElement.GetProperty("tensors");
        Assert.Equal(model.Weights.Count, tensors.EnumerateObject().Count());
        foreach (var p in model.Weights)
        {
            var entry = tensors.GetProperty(p.Name);
            Assert.Equal(p.Shape, entry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
            Assert.Equal(p.Data.Sum(v => (double)v), entry.GetProperty("sum").GetDouble(), 1e-4);
            Assert.Equal(p.Data[0], entry.GetProperty("first").GetDouble(), 1e-7);
        }
    }

    [Fact]
    public void LoadingWeightsOfAnotherModelSaysWhatDoesNotFit()
    {
        string folder = FitTests.TempFolder();
        string path = Path.Combine(folder, "relu.safetensors");
        new ReluClassifier(seed: 1).SaveWeights(path);
        var target = new ThreeLayerClassifier(seed: 1);
        var before = target.Weights[0].Data.ToArray();
        var e = Assert.Throws<InvalidDataException>(() => target.LoadWeights(path));
        Assert.Contains("'first.weight' (40, 37) is missing", e.Message);
        Assert.Contains("'output.weight' has shape (20, 3), the model needs (19, 10)", e.Message);
        Assert.Contains("'hidden.weight' (6, 20) is not a parameter of this model", e.Message);
        Assert.Equal(before, target.Weights[0].Data); // nothing loaded
    }

    [Fact]
    public void MalformedFilesAreRejectedWithFileOffsetAndProblem()
    {
        byte[] File(string header, int dataBytes)
        {
            var h = Encoding.UTF8.GetBytes(header);
            var bytes = new byte[8 + h.Length + dataBytes];
            BitConverter.GetBytes((ulong)h.Length).CopyTo(bytes, 0);
            h.CopyTo(bytes, 8);
            return bytes;
        }
        void Rejects(byte[] bytes, string problem, long? offset = null)
        {
            var e = Assert.Throws<DataFormatException>(() => SafeTensors.Parse("bad.safetensors", bytes));
            Assert.Contains(problem, e.Problem);
            Assert.Equal("bad.safetensors", e.File);
            if (offset is long o) Assert.Equal(o, e.Offset);
        }
        Rejects([1, 2, 3], "fewer than the 8-byte header length", 0);
        var huge = File("{}", 0);
        BitConverter.GetBytes(1000UL).CopyTo(huge, 0);
        Rejects(huge, "runs past the end", 0);
        Rejects(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4), "ends at data byte 8");
        Rejects(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "needs 12 bytes");
        Rejects(File("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "unknown dtype 'Q7'");
        Rejects(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "overlaps");
        Rejects(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "belong to no tensor");
        Rejects(File("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,8]}}", 8), "more elements than fit");
        Rejects(File("{\"a\":", 0), "not valid JSON");
        var latin = File("{\"\u00e9\":1}", 0);
        latin[10] = 0xE9; // a lone Latin-1 byte where UTF-8 needs a sequence
        latin[11] = 0x22;
        Rejects(latin, "not valid UTF-8");
    }
}
