namespace Wormhole.Tests.Support;

/// <summary>The folder holding Wormhole.sln, found from the test assembly's location.</summary>
public static class RepositoryRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Wormhole.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Wormhole.sln above {AppContext.BaseDirectory}.");
    }
}
