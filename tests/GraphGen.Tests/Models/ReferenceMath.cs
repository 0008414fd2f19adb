namespace GraphGen.Tests.Models;

/// <summary>The activations and losses in double precision, written from their definitions: the tests' ground truth.</summary>
internal static class ReferenceMath
{
    public static double Activate(Activation activation, double x) => activation switch
    {
        Activation.Relu => Math.Max(x, 0),
        Activation.Tanh => Math.Tanh(x),
        Activation.Sigmoid => 1 / (1 + Math.Exp(-x)),
        Activation.LeakyRelu => x > 0 ? x : 0.2 * x,
        Activation.Elu => x > 0 ? x : Math.Exp(x) - 1,
        Activation.Gelu => x * Phi(x),
        Activation.Softplus => Math.Log(1 + Math.Exp(x)),
        _ => x,
    };

    /// <summary>d activation / dx at the input x.</summary>
    public static double Derivative(Activation activation, double x) => activation switch
    {
        Activation.Relu => x > 0 ? 1 : 0,
        Activation.Tanh => 1 - Math.Tanh(x) * Math.Tanh(x),
        Activation.Sigmoid => Activate(Activation.Sigmoid, x) * (1 - Activate(Activation.Sigmoid, x)),
        Activation.LeakyRelu => x > 0 ? 1 : 0.2,
        Activation.Elu => x > 0 ? 1 : Math.Exp(x),
        Activation.Gelu => Phi(x) + x * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI),
        Activation.Softplus => Activate(Activation.Sigmoid, x),
        _ => 1,
    };

    /// <summary>The standard normal CDF through erf's Taylor series (|x| ≤ 6) — exact to ~1e-13 where it matters.</summary>
    public static double Phi(double x) => 0.5 * (1 + Erf(x / Math.Sqrt(2)));

    public static double Erf(double x)
    {
        if (Math.Abs(x) > 4.5) return Math.Sign(x);
        double sum = 0, term = x;
        for (int n = 0; n < 200; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
            if (Math.Abs(term) < 1e-17) break;
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    public static double[] Softmax(ReadOnlySpan<double> z)
    {
        double max = double.NegativeInfinity, sum = 0;
        foreach (double v in z) max = Math.Max(max, v);
        var p = new double[z.Length];
        for (int j = 0; j < z.Length; j++) sum += p[j] = Math.Exp(z[j] - max);
        for (int j = 0; j < z.Length; j++) p[j] /= sum;
        return p;
    }
}
