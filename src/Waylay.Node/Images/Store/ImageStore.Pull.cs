using System.Text.RegularExpressions;
using Waylay.Linux;

namespace Waylay.Node.Images.Store;

internal sealed partial class ImageStore
{
    /// <summary>
    /// Copies <paramref name="reference"/> from its registry into the store (<c>waylay image pull</c>, and
    /// <c>waylay up --runtime oci</c> by the pods' pull policies):
    /// <code>
    ///  :: 1  skopeo copy docker://REF oci:&lt;root&gt;/pulls/&lt;id&gt;:REF   the registry's answer, into a layout of its own
    ///  :: 2  skopeo copy oci:&lt;that&gt;:REF oci:&lt;root&gt;/oci:REF         into the store only once it is whole
    ///  :: 3  its layers unpacked once (shared with the images of the same layers)
    /// </code>
    /// A failed pull leaves nothing in the store (skopeo leaves blobs in a layout it could not finish). Docker Hub's
    /// names resolve as the kubelet's do; credentials and registries.conf are skopeo's (<see cref="RegistryOptions"/>).
    /// </summary>
    public async Task<StoredImage> PullAsync(string reference, RegistryOptions registries, CancellationToken cancellationToken)
    {
        var name = ImageName.Parse(reference);
        var pulls = Path.Combine(Root, "pulls");
        var scratch = Path.Combine(pulls, Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(pulls);
        try
        {
            // :: Step 1
            var pull = await Exec.RunAsync("skopeo",
                ["copy", "--quiet", .. registries.SkopeoFlags(name), $"docker://{name.Normalized}", $"oci:{scratch}:{name.Normalized}"], null, cancellationToken);
            if (pull.ExitCode == 127)
            {
                throw new ImageStoreException("image pull: skopeo is not installed; install it with: apt-get install skopeo");
            }

            if (!pull.Succeeded)
            {
                throw new ImagePullException(name, Answer(pull.Diagnostic));
            }

            // :: Step 2
            await RunAsync("image pull", "skopeo", ["copy", "--quiet", $"oci:{scratch}:{name.Normalized}", $"oci:{Layout}:{name.Normalized}"], cancellationToken);
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }

            try
            {
                Directory.Delete(pulls);
            }
            catch (IOException)
            {
                // Not empty: another pull's layout is there, and it removes its own.
            }
        }

        // :: Step 3
        return await UnpackAsync(name.Normalized, "image pull", cancellationToken);
    }

    /// <summary>skopeo's own words without its log wrapping (<c>time="…" level=fatal msg="…"</c>).</summary>
    private static string Answer(string diagnostic) =>
        SkopeoFatal().Match(diagnostic) is { Success: true } match ? match.Groups[1].Value.Replace("\\\"", "\"", StringComparison.Ordinal) : diagnostic;

    [GeneratedRegex("""level=fatal msg="(.*)"\s*$""")]
    private static partial Regex SkopeoFatal();
}
