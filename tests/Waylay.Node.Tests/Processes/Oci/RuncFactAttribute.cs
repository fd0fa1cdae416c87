using Waylay.TestKit;

namespace Waylay.Node.Tests.Processes.Oci;

/// <summary>A fact that runs containers with runc: it needs root and network namespaces, and runc installed.</summary>
public sealed class RuncFactAttribute : FactAttribute
{
    public RuncFactAttribute()
    {
        if (NetnsSupport.SkipReason is { } reason)
        {
            Skip = reason;
        }
        else if (!File.Exists("/usr/sbin/runc") && !File.Exists("/usr/bin/runc"))
        {
            Skip = "runc is not installed (apt-get install runc)";
        }
    }
}
