namespace GraphGen.Data;

/// <summary>Rows of features and one float target per row (regression).</summary>
public sealed record RegressionData(float[] Features, float[] Targets, int FeatureCount)
{
    public int Count => Targets.Length;

    /// <summary>Rows [start, start + count).</summary>
    public RegressionData Slice(int start, int count)
        => new(Features[(start * FeatureCount)..((start + count) * FeatureCount)], Targets[start..(start + count)], FeatureCount);
}

/// <summary>
/// sklearn's 8×8 digits (1,797 images, UCI, CC BY 4.0) from "sklearn/digits.csv.gz": 64 pixel values 0–16 then
/// the label, one image per line. Pixels are scaled to [0, 1] (divided by 16).
/// </summary>
public static class Digits
{
    public static LabeledImages Load(string? directory = null)
    {
        string folder = DataLocator.Find("sklearn", directory, "digits.csv");
        string path = Resolve(folder, "digits.csv");
        var table = Csv.ReadNumbers(path);
        if (table.Columns != 65) throw new DataFormatException(path, 0, $"a digits row needs 64 pixels and a label, found {table.Columns} values");
        var pixels = new float[table.Rows * 64];
        var labels = new int[table.Rows];
        for (int r = 0; r < table.Rows; r++)
        {
            for (int p = 0; p < 64; p++)
            {
                float v = table.Values[r * 65 + p];
                if (v < 0 || v > 16) throw new DataFormatException(path, 0, $"row {r + 1}, pixel {p + 1}: {v} is outside 0–16");
                pixels[r * 64 + p] = v / 16f;
            }
            float label = table.Values[r * 65 + 64];
            if (label != MathF.Floor(label) || label < 0 || label > 9) throw new DataFormatException(path, 0, $"row {r + 1}: label {label} is not a digit 0–9");
            labels[r] = (int)label;
        }
        return new LabeledImages(pixels, labels, 8, 8);
    }

    internal static string Resolve(string folder, string name)
    {
        string raw = Path.Combine(folder, name), gz = raw + ".gz";
        return File.Exists(raw) ? raw : File.Exists(gz) ? gz : throw new FileNotFoundException($"Neither {raw} nor {gz} exists.", gz);
    }
}

/// <summary>
/// sklearn's diabetes regression (442 patients, 10 features, disease progression one year on; Efron et al. 2004)
/// from "sklearn/diabetes_data_raw.csv.gz" and "diabetes_target.csv.gz". Raw values, or scaled as
/// <c>sklearn.datasets.load_diabetes()</c> returns them: each feature centred and divided by its standard
/// deviation times √442, so every column has unit length.
/// </summary>
public static class Diabetes
{
    public static IReadOnlyList<string> FeatureNames { get; } = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"];

    public static RegressionData Load(string? directory = null, bool scaled = true)
    {
        string folder = DataLocator.Find("sklearn", directory, "diabetes_data_raw.csv");
        string dataPath = Digits.Resolve(folder, "diabetes_data_raw.csv"), targetPath = Digits.Resolve(folder, "diabetes_target.csv");
        var data = Csv.ReadNumbers(dataPath);
        var target = Csv.ReadNumbers(targetPath);
        if (data.Columns != 10) throw new DataFormatException(dataPath, 0, $"a diabetes row needs 10 features, found {data.Columns}");
        if (target.Columns != 1) throw new DataFormatException(targetPath, 0, $"a target row needs 1 value, found {target.Columns}");
        if (target.Rows != data.Rows) throw new DataFormatException(targetPath, 0, $"{target.Rows} targets for the {data.Rows} rows of {Path.GetFileName(dataPath)}");
        var features = data.Values.ToArray();
        if (scaled) ScaleLikeSklearn(features, data.Rows, data.Columns);
        return new RegressionData(features, target.Values, 10);
    }

    private static void ScaleLikeSklearn(float[] x, int rows, int cols)
    {
        for (int c = 0; c < cols; c++)
        {
            double mean = 0, squares = 0;
            for (int r = 0; r < rows; r++) mean += x[r * cols + c];
            mean /= rows;
            for (int r = 0; r < rows; r++) squares += (x[r * cols + c] - mean) * (x[r * cols + c] - mean);
            double norm = Math.Sqrt(squares); // std · √rows
            for (int r = 0; r < rows; r++) x[r * cols + c] = (float)((x[r * cols + c] - mean) / norm);
        }
    }
}
