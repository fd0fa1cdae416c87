using System.Text.RegularExpressions;

namespace Waylay.Control.Install;

/// <summary>
/// An image reference as a container runtime parses it (the grammar of distribution/reference): an optional registry
/// host[:port], lowercase path components, an optional tag and an optional sha256 digest. Checked before anything is
/// printed or applied, so a typo is refused here and not discovered as ImagePullBackOff.
/// </summary>
internal static partial class ImageReference
{
    public static bool IsValid(string text) => text.Length <= 255 && Grammar().IsMatch(text);

    [GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
