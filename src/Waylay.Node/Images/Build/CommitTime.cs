using Waylay.Linux;

namespace Waylay.Node.Images.Build;

/// <summary>
/// The source date when SOURCE_DATE_EPOCH is not set: the checked-out commit's time, the convention of
/// reproducible-builds.org, so two builds of one commit carry the same times (and digest) whenever they run.
/// </summary>
internal static class CommitTime
{
    public static async Task<DateTimeOffset> ReadAsync(string repository, CancellationToken cancellationToken)
    {
        var result = await Exec.RunAsync("git", ["-C", repository, "log", "-1", "--format=%ct"], null, cancellationToken);
        return result.Succeeded && long.TryParse(result.StandardOutput.Trim(), out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new ImageBuildException($"image build: cannot read the commit time of {repository} ({result.Diagnostic}); set SOURCE_DATE_EPOCH to the time the image's files should carry");
    }
}
