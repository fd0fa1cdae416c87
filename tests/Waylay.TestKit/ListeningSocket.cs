using System.Net.Sockets;

namespace Waylay.TestKit;

/// <summary>Ending a test app's listening socket so that the very next connect is refused.</summary>
public static class ListeningSocket
{
    /// <summary>
    /// Takes the socket out of LISTEN at once (shutdown(2)), then closes it. close alone leaves it listening while a
    /// process forked meanwhile (any test's Process.Start, between fork and exec) still holds the descriptor, and a
    /// probe or client then still connects: seen under CI's load, where every test assembly starts processes at once.
    /// </summary>
    public static void StopListening(this Socket listener)
    {
        try
        {
            listener.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // never listened, or already closed: nothing to take out of LISTEN
        }

        listener.Dispose();
    }
}
