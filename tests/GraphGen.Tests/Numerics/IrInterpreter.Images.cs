using GraphGen.Generators.Graph;

namespace GraphGen.Tests.Numerics;

/// <summary>The image ops in plain loops: convolution and its two gradients as the sums over windows they are, max pooling.</summary>
internal static partial class IrInterpreter
{
    private static double[]? Image(Node n, double[][] v, IReadOnlyList<Node> nodes, int batch)
    {
        int[] InDims(int i) => Dims(nodes[n.Inputs[i]].Shape, batch);
        switch (n.Op)
        {
            case OpKind.Conv2D:
            {
                var y = new double[Dims(n.Shape, batch).Aggregate(1, (a, b) => a * b)];
                Windows(InDims(0), Dims(n.Shape, batch), n.Window!, (xi, yi, ki, c, f, channels, filters) =>
                    y[yi * filters + f] += v[n.Inputs[0]][xi * channels + c] * v[n.Inputs[1]][(ki * channels + c) * filters + f]);
                return y;
            }
            case OpKind.Conv2DBackpropInput: // (dy, kernel) → dx of n's shape
            {
                var dx = new double[Dims(n.Shape, batch).Aggregate(1, (a, b) => a * b)];
                Windows(Dims(n.Shape, batch), InDims(0), n.Window!, (xi, yi, ki, c, f, channels, filters) =>
                    dx[xi * channels + c] += v[n.Inputs[0]][yi * filters + f] * v[n.Inputs[1]][(ki * channels + c) * filters + f]);
                return dx;
            }
            case OpKind.Conv2DBackpropFilter: // (x, dy) → d kernel
            {
                var dk = new double[Dims(n.Shape, batch).Aggregate(1, (a, b) => a * b)];
                Windows(InDims(0), InDims(1), n.Window!, (xi, yi, ki, c, f, channels, filters) =>
                    dk[(ki * channels + c) * filters + f] += v[n.Inputs[0]][xi * channels + c] * v[n.Inputs[1]][yi * filters + f]);
                return dk;
            }
            case OpKind.MaxPool2D or OpKind.MaxPool2DGrad:
            {
                int[] dx = InDims(0), dy = n.Op == OpKind.MaxPool2D ? Dims(n.Shape, batch) : InDims(1);
                double[] x = v[n.Inputs[0]];
                var result = new double[Dims(n.Shape, batch).Aggregate(1, (a, b) => a * b)];
                var w = n.Window!;
                int channels = dx[3];
                for (int b = 0; b < dx[0]; b++)
                for (int oy = 0; oy < dy[1]; oy++)
                for (int ox = 0; ox < dy[2]; ox++)
                for (int c = 0; c < channels; c++)
                {
                    int best = -1;
                    for (int ky = 0; ky < w.Height; ky++)
                    for (int kx = 0; kx < w.Width; kx++)
                    {
                        int at = ((b * dx[1] + oy * w.Stride + ky) * dx[2] + ox * w.Stride + kx) * channels + c;
                        if (best < 0 || x[at] > x[best]) best = at;
                    }
                    int o = ((b * dy[1] + oy) * dy[2] + ox) * channels + c;
                    if (n.Op == OpKind.MaxPool2D) result[o] = x[best];
                    else result[best] += v[n.Inputs[1]][o];
                }
                return result;
            }
            default:
                return null;
        }
    }

    /// <summary>Calls <paramref name="visit"/> for every (input pixel, output pixel, kernel tap, channel, filter) a convolution multiplies.</summary>
    private static void Windows(int[] input, int[] output, Window w, Action<int, int, int, int, int, int, int> visit)
    {
        int padTop = Window.PadBefore(input[1], w.Height, w.Stride, w.Padding), padLeft = Window.PadBefore(input[2], w.Width, w.Stride, w.Padding);
        int channels = input[3], filters = output[3];
        for (int b = 0; b < input[0]; b++)
        for (int oy = 0; oy < output[1]; oy++)
        for (int ox = 0; ox < output[2]; ox++)
        for (int ky = 0; ky < w.Height; ky++)
        for (int kx = 0; kx < w.Width; kx++)
        {
            int iy = oy * w.Stride - padTop + ky, ix = ox * w.Stride - padLeft + kx;
            if (iy < 0 || iy >= input[1] || ix < 0 || ix >= input[2]) continue;
            int xi = (b * input[1] + iy) * input[2] + ix, yi = (b * output[1] + oy) * output[2] + ox, ki = ky * w.Width + kx;
            for (int c = 0; c < channels; c++)
                for (int f = 0; f < filters; f++) visit(xi, yi, ki, c, f, channels, filters);
        }
    }
}
