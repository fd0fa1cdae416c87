using Waylay.TestKit;

namespace Waylay.Node.Tests.Images.Store;

/// <summary>
/// A fact that pulls from a <see cref="TestRegistry"/> into a store and may run what it pulled with runc: it needs
/// root and network namespaces, runc, and Debian's docker-registry (scripts/ensure-deps.sh installs it).
/// </summary>
public sealed class RegistryFactAttribute : FactAttribute
{
    public RegistryFactAttribute()
    {
        if (NetnsSupport.SkipReason is { } reason)
        {
            Skip = reason;
        }
        else if (!File.Exists("/usr/sbin/runc") && !File.Exists("/usr/bin/runc"))
        {
            Skip = "runc is not installed (apt-get install runc)";
        }
        else if (!File.Exists(TestRegistry.Binary))
        {
            Skip = $"{TestRegistry.Binary} is not installed (apt-get install docker-registry; its service need not run)";
        }
    }
}
