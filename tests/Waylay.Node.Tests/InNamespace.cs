using Waylay.Linux;

namespace Waylay.Node.Tests;

/// <summary>Runs code on a fresh thread that has entered a network namespace (sockets made there stay in it).</summary>
internal static class InNamespace
{
    public static T Invoke<T>(string netnsPath, Func<T> action)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(netnsPath);
                if (Sched.SetNs((int)handle.DangerousGetHandle(), Sched.CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({netnsPath}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
                }

                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException($"in {netnsPath}: {failure.Message}", failure);
    }
}
