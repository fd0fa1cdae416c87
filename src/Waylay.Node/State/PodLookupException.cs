namespace Waylay.Node.State;

/// <summary>
/// A run or pod a command named is not there (or not only one), or the pod (or its container) is not there to exec
/// into or read: a usage error whose message lists what there is, so the next command can be typed from it. The
/// commands prefix it with their name.
/// </summary>
internal sealed class PodLookupException(string message) : Exception(message);
