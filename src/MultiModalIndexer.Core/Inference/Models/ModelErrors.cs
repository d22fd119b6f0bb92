namespace MultiModalIndexer.Inference.Models;

public enum ModelErrorKind
{
    /// <summary>The file is not there.</summary>
    Missing,
    /// <summary>The file is there but unreadable: wrong checksum, truncated, not ONNX.</summary>
    Corrupt,
    /// <summary>The file loads but its interface is not one the product can drive.</summary>
    Incompatible,
}

/// <summary>A model file the product needs cannot be used. The message names the file and the fix.</summary>
public abstract class ModelException(ModelErrorKind kind, string path, string message, Exception? inner)
    : Exception(message, inner)
{
    public ModelErrorKind Kind { get; } = kind;
    public string ModelPath { get; } = path;

    /// <summary>The standard remedy, named in every message.</summary>
    public const string Fix = "Run './mmi models sync' (copies known files from $MMI_MODELS_DIR or ../shared/models), './mmi models fetch' on a machine with internet, or point the config option at the file; './mmi models list' shows what goes where.";
}

public sealed class ModelMissingException(string path, string? what = null, Exception? inner = null)
    : ModelException(ModelErrorKind.Missing, path,
        $"Model file missing: {path}{(what is null ? "" : $" ({what})")}. {Fix}", inner);

public sealed class ModelCorruptException(string path, string reason, Exception? inner = null)
    : ModelException(ModelErrorKind.Corrupt, path,
        $"Model file unusable: {path}: {reason}. Replace it: {Fix}", inner);

public sealed class ModelIncompatibleException(string path, string reason, Exception? inner = null)
    : ModelException(ModelErrorKind.Incompatible, path,
        $"Model file {path} has an interface this product cannot drive: {reason}", inner);
