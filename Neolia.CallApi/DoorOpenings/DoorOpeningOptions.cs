using System.ComponentModel.DataAnnotations;

namespace Neolia.CallApi.DoorOpenings;

/// <summary>Opening a door from the app, outside a call (section <c>DoorOpening</c>).</summary>
public sealed class DoorOpeningOptions
{
    public const string Section = "DoorOpening";

    /// <summary>The window both limits count in (attempts in the door log, so every replica counts the same).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00", ErrorMessage = "DoorOpening:LimitWindow must be between 10 s and 1 h.")]
    public TimeSpan LimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Openings one user may ask for in <see cref="LimitWindow"/>, all doors together.</summary>
    [Range(1, 1000, ErrorMessage = "DoorOpening:PerUserLimit must be between 1 and 1000.")]
    public int PerUserLimit { get; set; } = 5;

    /// <summary>Openings one door takes in <see cref="LimitWindow"/>, all users together.</summary>
    [Range(1, 1000, ErrorMessage = "DoorOpening:PerDoorLimit must be between 1 and 1000.")]
    public int PerDoorLimit { get; set; } = 20;

    /// <summary>How long the door has to answer the platform's call (it auto-answers in about a second).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:00:30", ErrorMessage = "DoorOpening:SipAnswerTimeout must be between 1 and 30 s.")]
    public TimeSpan SipAnswerTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>The caller number of the platform's opening calls: what the door's auto-answer allow list holds.</summary>
    [Required, RegularExpression("^[A-Za-z0-9_.+-]{1,32}$", ErrorMessage = "DoorOpening:CallerNumber must be 1-32 letters, digits or . _ + -.")]
    public string CallerNumber { get; set; } = "neolia";

    /// <summary>How long the app's request waits for the site box to report (the box long-polls, then calls the door).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:00:30", ErrorMessage = "DoorOpening:SiteBoxTimeout must be between 1 and 30 s.")]
    public TimeSpan SiteBoxTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How long after an opening from the app the relays still try to take its picture (door camera).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00", ErrorMessage = "DoorOpening:SnapshotWindow must be between 5 s and 10 min.")]
    public TimeSpan SnapshotWindow { get; set; } = TimeSpan.FromSeconds(30);
}
