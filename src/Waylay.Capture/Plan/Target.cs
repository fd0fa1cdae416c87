namespace Waylay.Capture.Plan;

/// <summary>What a rule does with a packet it matches.</summary>
public abstract record Target
{
    /// <summary>Whether the walk stops here for this hook (REDIRECT, TPROXY, ACCEPT, DROP do; MARK does not).</summary>
    public virtual bool Terminates => true;
}

public sealed record JumpTarget(string Chain) : Target
{
    public override bool Terminates => false;
}

public sealed record ReturnTarget : Target
{
    public static readonly ReturnTarget Instance = new();
}

/// <summary>nat REDIRECT to a local port (127.0.0.1 / ::1 for OUTPUT, the incoming interface's address for PREROUTING).</summary>
public sealed record RedirectTarget(ushort Port) : Target;

/// <summary>mangle TPROXY: hand the packet to a transparent local listener without rewriting it, and mark it.</summary>
public sealed record TproxyTarget(ushort Port, uint Mark) : Target;

public sealed record MarkTarget(uint Mark) : Target
{
    public override bool Terminates => false;
}

public sealed record AcceptTarget : Target
{
    public static readonly AcceptTarget Instance = new();
}

public sealed record DropTarget : Target
{
    public static readonly DropTarget Instance = new();
}
