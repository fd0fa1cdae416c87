namespace Waylay.Node.Images.Store;

/// <summary>
/// How registries are reached: the registries allowed without TLS beyond the loopback ones (<c>--insecure-registry
/// HOST[:PORT]</c>, as containerd's <c>hosts.toml</c> or Docker's <c>insecure-registries</c>). Credentials are skopeo's
/// own: <c>REGISTRY_AUTH_FILE</c>, else <c>$XDG_RUNTIME_DIR/containers/auth.json</c>, else <c>~/.docker/config.json</c>;
/// /etc/containers/registries.conf may mark a registry insecure too.
/// </summary>
internal sealed record RegistryOptions
{
    public static readonly RegistryOptions Default = new();

    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>skopeo's <c>--src-tls-verify=false</c> (HTTPS unverified, then plain HTTP) for a loopback registry or
    /// one named insecure; nothing (TLS verified, or what registries.conf says) for any other.</summary>
    public IReadOnlyList<string> SkopeoFlags(ImageName image) =>
        image.OnLoopback || InsecureRegistries.Contains(image.Registry, StringComparer.OrdinalIgnoreCase)
            ? ["--src-tls-verify=false"]
            : [];

    /// <summary>How to make <paramref name="image"/>'s registry answer: start it, or TLS / --insecure-registry and credentials.</summary>
    public string Fix(ImageName image) =>
        SkopeoFlags(image).Count > 0
            ? $"start the registry at {image.Registry} or push the image there"
            : $"make {image.Registry} reachable (over TLS, or name it with --insecure-registry {image.Registry} when it speaks plain HTTP; credentials from skopeo login {image.Registry} or REGISTRY_AUTH_FILE)";
}
