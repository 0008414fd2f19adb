namespace GraphGen.Data;

/// <summary>
/// Fashion-MNIST (Zalando Research, MIT): 28×28 grayscale clothing images in MNIST's IDX layout, ten classes.
/// Found as "fashion-mnist" by <see cref="DataLocator"/> (Debian's dataset-fashion-mnist installs it under
/// /usr/share/datasets).
/// </summary>
public static class FashionMnist
{
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public static (LabeledImages Train, LabeledImages Test) Load(string? directory = null) => Mnist.LoadNamed("fashion-mnist", directory);
}
