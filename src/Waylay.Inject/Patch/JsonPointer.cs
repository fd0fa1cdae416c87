namespace Waylay.Inject.Patch;

/// <summary>RFC 6901 JSON Pointer segments: '~' is written "~0" and '/' "~1" (annotation keys carry slashes).</summary>
internal static class JsonPointer
{
    public static string Append(string pointer, string segment) =>
        pointer + "/" + segment.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    public static string Append(string pointer, int index) => pointer + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
