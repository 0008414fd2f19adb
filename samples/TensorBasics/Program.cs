using System.CommandLine;
using System.Diagnostics;
using System.Numerics.Tensors;
using GraphGen;
using STensor = System.Numerics.Tensors.Tensor;

// Chapter 2's tensor operations, written with System.Numerics.Tensors: element-wise ops (a naive loop against
// the vectorised call), broadcasting, dot products, reshape and transpose; then the GradientTape example
// compiled by GraphGen's [Differentiable].
var repeat = new Option<int>("--repeat") { Description = "Repetitions of the element-wise timing", DefaultValueFactory = _ => 1000 };
var seed = new Option<int>("--seed") { Description = "Seed of the random tensors", DefaultValueFactory = _ => 0 };
var command = new RootCommand("Tensor operations with System.Numerics.Tensors") { repeat, seed };
command.SetAction(result =>
{
    int repetitions = result.GetValue(repeat);
    if (repetitions <= 0)
    {
        Console.Error.WriteLine($"error: --repeat must be positive, got {repetitions}");
        return 1;
    }
    var random = new Random(result.GetValue(seed));
    ElementWise(random, repetitions);
    Broadcasting(random);
    Dots();
    ReshapeAndTranspose();
    Gradient();
    return 0;
});
return command.Parse(args).Invoke();

static float[] RandomValues(Random random, int count) => Enumerable.Range(0, count).Select(_ => random.NextSingle()).ToArray();

static void ElementWise(Random random, int repetitions)
{
    Console.WriteLine("== Element-wise relu(x + y) on (20, 100), as in the book ==");
    float[] x = RandomValues(random, 20 * 100), y = RandomValues(random, 20 * 100), z = new float[x.Length];

    void Naive()
    {
        for (int i = 0; i < 20; i++)
            for (int j = 0; j < 100; j++)
            {
                float sum = x[i * 100 + j] + y[i * 100 + j];
                z[i * 100 + j] = sum > 0 ? sum : 0;
            }
    }
    void Vectorised()
    {
        TensorPrimitives.Add(x, y, z);
        TensorPrimitives.Max(z, 0f, z);
    }
    double naive = Time(Naive, repetitions), vectorised = Time(Vectorised, repetitions);
    var check = new float[z.Length];
    Naive();
    z.CopyTo(check, 0);
    Vectorised();
    Console.WriteLine($"naive loop:  {naive:F4} s for {repetitions} repetitions");
    Console.WriteLine($"vectorised:  {vectorised:F4} s (TensorPrimitives.Add, then .Max(z, 0)) — {naive / vectorised:F1}× faster, same values: {check.AsSpan().SequenceEqual(z)}");
    Console.WriteLine();
}

static double Time(Action action, int repetitions)
{
    action(); // JIT first
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < repetitions; i++) action();
    return clock.Elapsed.TotalSeconds;
}

static void Broadcasting(Random random)
{
    Console.WriteLine("== Broadcasting: (32, 10) + (10) ==");
    var x = STensor.Create(RandomValues(random, 32 * 10), [32, 10]);
    var y = STensor.Create(RandomValues(random, 10), [10]);
    var z = STensor.Add<float>(x, y);
    Console.WriteLine($"x {Shape(x)} + y {Shape(y)} → z {Shape(z)}; z[3, 7] = {z[3, 7]:F4} = x[3, 7] + y[7] = {x[3, 7] + y[7]:F4}");
    // The book's other example: maximum of (64, 3, 32, 10) and (32, 10).
    var a = STensor.Create(RandomValues(random, 64 * 3 * 32 * 10), [64, 3, 32, 10]);
    var b = STensor.Create(RandomValues(random, 32 * 10), [32, 10]);
    Console.WriteLine($"maximum(a {Shape(a)}, b {Shape(b)}) → {Shape(STensor.Max<float>(a, b))}");
    Console.WriteLine();
}

static void Dots()
{
    Console.WriteLine("== Dot products ==");
    float[] u = [1, 2, 3], v = [4, 5, 6];
    Console.WriteLine($"vector · vector: [1 2 3]·[4 5 6] = {TensorPrimitives.Dot(u, v)}");
    var m = STensor.Create<float>([1, 2, 3, 4, 5, 6], [2, 3]);
    // Matrix · vector: one dot per row of m.
    var mv = Enumerable.Range(0, 2).Select(i => TensorPrimitives.Dot(Row(m, i), v)).ToArray();
    Console.WriteLine($"matrix (2, 3) · vector (3): [{string.Join(", ", mv)}]");
    // Matrix · matrix: rows of the first against rows of the second's transpose (its columns).
    var n = STensor.Create<float>([1, 2, 3, 4, 5, 6], [3, 2]);
    var columns = STensor.Transpose(n);
    var mn = new float[2, 2];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) mn[i, j] = TensorPrimitives.Dot(Row(m, i), Row(columns, j));
    Console.WriteLine($"matrix (2, 3) · matrix (3, 2) = [[{mn[0, 0]}, {mn[0, 1]}], [{mn[1, 0]}, {mn[1, 1]}]]");
    var check = Op.MatMul(new GraphGen.Tensor([2, 3], [1, 2, 3, 4, 5, 6]), new GraphGen.Tensor([3, 2], [1, 2, 3, 4, 5, 6]));
    Console.WriteLine($"the same with GraphGen's Op.MatMul: {check}");
    Console.WriteLine();
}

static void ReshapeAndTranspose()
{
    Console.WriteLine("== Reshape and transpose ==");
    var x = STensor.Create<float>([0, 1, 2, 3, 4, 5], [3, 2]);
    Console.WriteLine($"x {Shape(x)}: {Flat(x)}");
    var six = STensor.Reshape(x, [6, 1]);
    Console.WriteLine($"reshape to {Shape(six)}: {Flat(six)}");
    var twoByThree = STensor.Reshape(x, [2, 3]);
    Console.WriteLine($"reshape to {Shape(twoByThree)}: {Flat(twoByThree)}");
    Console.WriteLine($"transpose of x: {Shape(STensor.Transpose(x))} {Flat(STensor.Transpose(x))}");
    var big = STensor.Create(new float[300 * 20], [300, 20]);
    Console.WriteLine($"transpose of {Shape(big)} → {Shape(STensor.Transpose(big))}");
    Console.WriteLine();
}

static void Gradient()
{
    Console.WriteLine("== Gradient of y = 2x + 3, compiled by [Differentiable] ==");
    var (value, dx) = Functions.LineGradient(4f);
    Console.WriteLine($"x = 4: y = {value}, dy/dx = {dx}");
    var (values, dxs) = Functions.LineOfTensorGradient(GraphGen.Tensor.FromArray(new float[,] { { 0, 1 }, { 2, 3 } }));
    Console.WriteLine($"x (2, 2): y = {values}, dy/dx = {dxs}");
}

static ReadOnlySpan<float> Row(Tensor<float> matrix, int row)
{
    var flat = new float[matrix.FlattenedLength];
    matrix.FlattenTo(flat);
    int cols = (int)matrix.Lengths[1];
    return flat.AsSpan(row * cols, cols);
}

static string Shape(Tensor<float> t) => "(" + string.Join(", ", t.Lengths.ToArray()) + ")";

static string Flat(Tensor<float> t)
{
    var flat = new float[t.FlattenedLength];
    t.FlattenTo(flat);
    return "[" + string.Join(", ", flat) + "]";
}

/// <summary>The book's GradientTape examples, differentiated at compile time.</summary>
public static partial class Functions
{
    [Differentiable]
    public static float Line(float x) => 2 * x + 3;

    [Differentiable]
    public static GraphGen.Tensor LineOfTensor([Shape(2, 2)] GraphGen.Tensor x) => 2 * x + 3;
}
