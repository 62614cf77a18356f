using Actors.Abstractions;
using Orleans.GrainReferences;
using Orleans.Metadata;

namespace Actors.Gateway;

/// <summary>
/// References to a user's grains. IGrainFactory.GetGrain resolves the interface's grain type by reading
/// its attributes through reflection on every call, which the /feedback profile showed at close to a
/// fifth of the gateway's time; the types are resolved once here and only the key varies per call.
/// </summary>
public sealed class UserGrains
{
    private readonly GrainReferenceActivator _activator;
    private readonly UserGrainType _profile;
    private readonly UserGrainType _bandit;
    private readonly UserGrainType _ping;

    public UserGrains(GrainReferenceActivator activator, GrainInterfaceTypeResolver interfaces, GrainInterfaceTypeToGrainTypeResolver grainTypes)
    {
        _activator = activator;
        _profile = UserGrainType.Of<IUserProfileGrain>(interfaces, grainTypes);
        _bandit = UserGrainType.Of<IBanditGrain>(interfaces, grainTypes);
        _ping = UserGrainType.Of<IPingGrain>(interfaces, grainTypes);
    }

    public IUserProfileGrain Profile(string userId) => Create<IUserProfileGrain>(_profile, userId);

    public IBanditGrain Bandit(string userId) => Create<IBanditGrain>(_bandit, userId);

    public IPingGrain Ping(string userId) => Create<IPingGrain>(_ping, userId);

    private T Create<T>(UserGrainType type, string userId) =>
        (T)(object)_activator.CreateReference(GrainId.Create(type.GrainType, userId), type.InterfaceType);

    private sealed record UserGrainType(GrainType GrainType, GrainInterfaceType InterfaceType)
    {
        public static UserGrainType Of<T>(GrainInterfaceTypeResolver interfaces, GrainInterfaceTypeToGrainTypeResolver grainTypes)
        {
            var interfaceType = interfaces.GetGrainInterfaceType(typeof(T));
            return new UserGrainType(grainTypes.GetGrainType(interfaceType), interfaceType);
        }
    }
}
