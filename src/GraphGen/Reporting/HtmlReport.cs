using System.Globalization;
using System.Net;
using System.Text;
using GraphGen.Training;

namespace GraphGen.Reporting;

/// <summary>
/// One self-contained HTML page about a training run — what a notebook's matplotlib figure shows: curves per
/// epoch as inline SVG, a grid of test images with the predicted label and its probability, a predicted-vs-actual
/// scatter for regression, and a table of figures. No scripts, no external files.
/// </summary>
public sealed class HtmlReport(string title)
{
    private static readonly string[] s_colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];
    private readonly StringBuilder _body = new();

    public string Title { get; } = title;

    /// <summary>A two-column table of named figures.</summary>
    public HtmlReport AddFigures(string heading, IEnumerable<(string Name, string Value)> rows)
    {
        _body.Append($"<section><h2>{Escape(heading)}</h2><table>");
        foreach (var (name, value) in rows) _body.Append($"<tr><th>{Escape(name)}</th><td>{Escape(value)}</td></tr>");
        _body.Append("</table></section>\n");
        return this;
    }

    /// <summary>A line chart of the given History keys against the epoch (keys the history lacks are skipped).</summary>
    public HtmlReport AddCurves(string heading, History history, params string[] keys)
    {
        var series = keys.Where(k => history.Keys.Contains(k)).Select(k => (k, history[k])).ToList();
        if (series.Count == 0 || history.Epochs.Count == 0) return this;
        var epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        _body.Append($"<section><h2>{Escape(heading)}</h2>");
        _body.Append(Chart(series.Select(s => (s.k, epochs, s.Item2, true)).ToList(), "epoch", heading));
        _body.Append("</section>\n");
        return this;
    }

    /// <summary>Points (actual, predicted) with the y = x line: how far a regression's predictions fall from the truth.</summary>
    public HtmlReport AddScatter(string heading, ReadOnlySpan<float> actual, ReadOnlySpan<float> predicted)
    {
        if (actual.Length != predicted.Length) throw new ArgumentException($"{actual.Length} actual values but {predicted.Length} predictions.", nameof(predicted));
        var x = actual.ToArray().Select(v => (double)v).ToArray();
        var y = predicted.ToArray().Select(v => (double)v).ToArray();
        double lo = Math.Min(x.Min(), y.Min()), hi = Math.Max(x.Max(), y.Max());
        _body.Append($"<section><h2>{Escape(heading)}</h2>");
        _body.Append(Chart([("predicted", x, y, false), ("y = x", new[] { lo, hi }, new[] { lo, hi }, true)], "actual", "predicted"));
        _body.Append("</section>\n");
        return this;
    }

    /// <summary>
    /// Images with their predicted label and its probability, in green where the prediction is right and red
    /// where it is wrong (the true label is then shown too).
    /// </summary>
    public HtmlReport AddImageGrid(string heading, ReadOnlySpan<float> images, int width, int height, ReadOnlySpan<int> predicted,
        ReadOnlySpan<float> probability, ReadOnlySpan<int> labels, IReadOnlyList<string>? classNames = null, int count = 24)
    {
        int pixels = width * height;
        count = Math.Min(count, Math.Min(predicted.Length, images.Length / pixels));
        string Name(int c) => classNames is not null && c < classNames.Count ? classNames[c] : c.ToString(CultureInfo.InvariantCulture);
        _body.Append($"<section><h2>{Escape(heading)}</h2><div class=\"grid\">");
        for (int i = 0; i < count; i++)
        {
            string png = Convert.ToBase64String(Png.Grayscale(images.Slice(i * pixels, pixels), width, height));
            bool right = predicted[i] == labels[i];
            string caption = $"{Escape(Name(predicted[i]))} ({probability[i].ToString("P1", CultureInfo.InvariantCulture)})" + (right ? "" : $"<br>true: {Escape(Name(labels[i]))}");
            _body.Append($"<figure class=\"{(right ? "right" : "wrong")}\"><img alt=\"test image {i}\" src=\"data:image/png;base64,{png}\"><figcaption>{caption}</figcaption></figure>");
        }
        _body.Append("</div></section>\n");
        return this;
    }

    /// <summary>Writes the page (UTF-8, atomically replaced).</summary>
    public void Save(string path)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, ToString(), new UTF8Encoding(false));
        File.Move(temporary, path, overwrite: true);
    }

    public override string ToString() => $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{Escape(Title)}}</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
        h1 { font-size: 20px; } h2 { font-size: 16px; margin: 20px 0 8px; }
        table { border-collapse: collapse; } th, td { padding: 2px 12px 2px 0; text-align: left; } th { font-weight: 600; }
        .grid { display: grid; grid-template-columns: repeat(8, 96px); gap: 8px; }
        figure { margin: 0; text-align: center; font-size: 12px; }
        figure img { width: 84px; height: 84px; image-rendering: pixelated; border: 3px solid; }
        figure.right img { border-color: #2ca02c; } figure.wrong img { border-color: #d62728; }
        svg text { font: 11px system-ui, sans-serif; }
        </style></head>
        <body><h1>{{Escape(Title)}}</h1>
        {{_body}}</body></html>
        """;

    private static string Chart(List<(string Name, double[] X, double[] Y, bool Line)> series, string xLabel, string yLabel)
    {
        const int W = 560, H = 300, Left = 56, Right = 150, Top = 12, Bottom = 40;
        var xs = series.SelectMany(s => s.X).Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        var ys = series.SelectMany(s => s.Y).Where(double.IsFinite).DefaultIfEmpty(0).ToArray();
        double x0 = xs.Min(), x1 = xs.Max(), y0 = ys.Min(), y1 = ys.Max();
        if (x1 == x0) x1 = x0 + 1;
        if (y1 == y0) { y0 -= 0.5; y1 += 0.5; }
        double pad = (y1 - y0) * 0.05;
        y0 -= pad; y1 += pad;
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        double Px(double x) => Left + (x - x0) / (x1 - x0) * (W - Left - Right);
        double Py(double y) => Top + (1 - (y - y0) / (y1 - y0)) * (H - Top - Bottom);
        var svg = new StringBuilder($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{Escape(yLabel)}\">");
        svg.Append($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{W - Left - Right}\" height=\"{H - Top - Bottom}\" fill=\"none\" stroke=\"#999\"/>");
        for (int t = 0; t <= 4; t++)
        {
            double yv = y0 + (y1 - y0) * t / 4, xv = x0 + (x1 - x0) * t / 4;
            svg.Append($"<line x1=\"{F(Left)}\" x2=\"{F(W - Right)}\" y1=\"{F(Py(yv))}\" y2=\"{F(Py(yv))}\" stroke=\"#eee\"/>");
            svg.Append($"<text x=\"{Left - 6}\" y=\"{F(Py(yv) + 4)}\" text-anchor=\"end\">{Tick(yv)}</text>");
            svg.Append($"<text x=\"{F(Px(xv))}\" y=\"{H - Bottom + 16}\" text-anchor=\"middle\">{Tick(xv)}</text>");
        }
        svg.Append($"<text x=\"{(Left + W - Right) / 2}\" y=\"{H - 6}\" text-anchor=\"middle\">{Escape(xLabel)}</text>");
        for (int s = 0; s < series.Count; s++)
        {
            var (name, x, y, line) = series[s];
            string color = s_colors[s % s_colors.Length];
            var points = Enumerable.Range(0, x.Length).Where(i => double.IsFinite(y[i])).Select(i => $"{F(Px(x[i]))},{F(Py(y[i]))}").ToList();
            if (line) svg.Append($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>");
            foreach (string p in points.Take(2000))
            {
                var xy = p.Split(',');
                svg.Append($"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"{(line ? 3 : 2.5)}\" fill=\"{color}\"{(line ? "" : " fill-opacity=\"0.6\"")}/>");
            }
            int ly = Top + 14 + s * 18;
            svg.Append($"<rect x=\"{W - Right + 12}\" y=\"{ly - 9}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{W - Right + 30}\" y=\"{ly + 1}\">{Escape(name)}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static string Tick(double v) => Math.Abs(v) >= 1000
        ? v.ToString("N0", CultureInfo.InvariantCulture)
        : v.ToString(Math.Abs(v) >= 10 ? "0.#" : "G3", CultureInfo.InvariantCulture);

    private static string Escape(string text) => WebUtility.HtmlEncode(text);
}
