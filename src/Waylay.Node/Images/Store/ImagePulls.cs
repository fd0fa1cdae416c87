namespace Waylay.Node.Images.Store;

/// <summary>
/// Makes the images of a set of containers present in the store by their pull policies, before anything of a run is
/// made (the kubelet's image manager, <c>EnsureImageExists</c>):
/// <code>
///  Never         present, or ErrImageNeverPull
///  IfNotPresent  present, else pulled, else ErrImagePull
///  Always        pulled (a digest-pinned image already present is kept: its content cannot have changed); when the
///                pull fails and the image is in the store (loaded from an archive, or pulled before), the stored one
///                runs and a warning says why, where the kubelet would fail with ErrImagePull (README: the OCI runtime)
/// </code>
/// Each image is pulled at most once however many containers name it. Every failure is reported together.
/// </summary>
internal static class ImagePulls
{
    /// <summary>Returns what was done (one line per pull, and the warnings); throws when any image cannot be had.</summary>
    public static async Task<IReadOnlyList<string>> EnsureAsync(
        ImageStore store, IReadOnlyList<ImageRequest> requests, RegistryOptions registries, TimeProvider time, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        var errors = new List<string>();
        foreach (var group in requests.GroupBy(r => ImageName.Parse(r.Image).Normalized, StringComparer.Ordinal))
        {
            var name = ImageName.Parse(group.Key);
            var first = group.First();
            // The strongest policy decides: an Always container refreshes the image its IfNotPresent siblings run too.
            var policy = group.Min(r => r.Policy);
            var stored = store.Find(name.Normalized);
            var wanted = policy switch
            {
                PullPolicy.Always => stored is null || !name.Pinned,
                PullPolicy.IfNotPresent => stored is null,
                _ => false,
            };
            if (!wanted)
            {
                if (stored is null)
                {
                    errors.Add($"{first.Where}: ErrImageNeverPull: image \"{first.Image}\" is not in the image store ({store.Root}) and its imagePullPolicy is Never; load it with: waylay image load FILE, or pull it with: waylay image pull {first.Image}{WaylayHint(name)}");
                }

                continue;
            }

            var started = time.GetTimestamp();
            try
            {
                var pulled = await store.PullAsync(name.Normalized, registries, cancellationToken);
                notes.Add($"pulled {pulled.Display} from {name.Registry} ({pulled.Size / 1e6:0.0} MB, {time.GetElapsedTime(started).TotalSeconds:0.0} s)");
            }
            catch (ImagePullException e) when (stored is not null)
            {
                notes.Add($"warning: {first.Where}: image \"{first.Image}\" has imagePullPolicy Always, but {e.Message}; running the one in the image store ({stored.Digest}), where the kubelet would stop at ErrImagePull");
            }
            catch (ImagePullException e)
            {
                errors.Add($"{first.Where}: ErrImagePull: {e.Message}; {registries.Fix(e.Image)}, or put the image in the store with: waylay image load FILE (an OCI archive) or waylay image pull {first.Image}{WaylayHint(name)}");
            }
            catch (ImageStoreException e)
            {
                errors.Add($"{first.Where}: {e.Message}");
            }
        }

        return errors.Count == 0 ? notes : throw new ImageStoreException(string.Join(Environment.NewLine, errors));
    }

    /// <summary>Waylay's own image is on no registry unless pushed to one: say how to build it.</summary>
    private static string WaylayHint(ImageName image) =>
        image.Normalized == Build.ImageBuildOptions.DefaultReference
            ? " (Waylay's image: build and load it with: waylay image build --out waylay.tar && waylay image load waylay.tar)"
            : "";
}
