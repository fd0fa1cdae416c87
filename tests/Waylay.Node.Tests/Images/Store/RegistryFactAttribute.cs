using Waylay.Node.Tests.Processes.Oci;

namespace Waylay.Node.Tests.Images.Store;

/// <summary>
/// A fact that pulls from a <see cref="TestRegistry"/> into a store and may run what it pulled with runc: what a
/// <see cref="RuncFactAttribute"/> needs, and Debian's docker-registry (scripts/ensure-deps.sh installs it).
/// </summary>
public sealed class RegistryFactAttribute : FactAttribute
{
    public RegistryFactAttribute() =>
        Skip = new RuncFactAttribute().Skip
            ?? (File.Exists(TestRegistry.Binary) ? null : $"{TestRegistry.Binary} is not installed (apt-get install docker-registry; its service need not run)");
}
