import FieldAudit
import Foundation

extension SiteTime {
    /// This machine's zone (`TZ`, else `/etc/localtime`): for times that belong to no engagement
    /// (a bundle's creation, a review grant's expiry), still written with the zone.
    static var local: SiteTime { SiteTime(.current) }
}
