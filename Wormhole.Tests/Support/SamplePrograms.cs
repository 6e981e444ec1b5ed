using System.Diagnostics;
using System.Reflection;

namespace Wormhole.Tests.Support;

/// <summary>
/// The built samples under <c>Samples/</c>, run as child processes with <c>dotnet Sample.dll …</c>. The test project
/// references each sample with <c>ReferenceOutputAssembly="false"</c>, so it is built first in the same configuration.
/// </summary>
public static class SamplePrograms
{
    /// <summary>
    /// A start info for <c>dotnet Samples/NAME/bin/CONFIGURATION/TFM/NAME.dll ARGUMENTS</c>, not started, no shell,
    /// nothing redirected yet.
    /// </summary>
    public static ProcessStartInfo StartInfo(string name, params string[] arguments)
    {
        var info = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false };
        info.ArgumentList.Add(Dll(name));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>
    /// Samples/FOLDER/bin/&lt;this test's Configuration&gt;/&lt;this test's TFM&gt;/NAME.dll, NAME being the folder's last part
    /// (<c>"PingPong"</c>, <c>"Chat/Chat.Server"</c>); fails the test when it is not built.
    /// </summary>
    public static string Dll(string folder)
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = typeof(SamplePrograms).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var name = folder.Split('/')[^1];
        var dll = Path.Combine([RepositoryRoot.Find(), "Samples", .. folder.Split('/'), "bin", configuration, here.Name, name + ".dll"]);
        Assert.True(File.Exists(dll), $"the {name} sample is not built at {dll}");
        return dll;
    }

    /// <summary>The <c>dotnet</c> executable running these tests, or the one on the PATH.</summary>
    public static string DotnetHost()
    {
        if (Environment.ProcessPath is { } current && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
    }

    /// <summary>Kills <paramref name="process"/> (and any process it started) by its own id, if it still runs.</summary>
    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // it exited meanwhile
        }
    }
}
