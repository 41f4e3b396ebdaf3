package normalize

import "encoding/json"

// rawRecord is the union of the fields Vedette reads from every supported
// record shape. One struct for all shapes means one decode per record: the
// shape is decided afterwards from which fields are set. Field names are
// declared in the casing each source uses; every decoder we use matches a
// key exactly first and case-insensitively second, so the Log Analytics
// PascalCase columns land in the same fields as the camelCase Graph and
// diagnostic-settings properties, except where the two disagree on type
// (see the *LA fields).
type rawRecord struct {
	// Diagnostic-settings envelope and Azure Resource Manager fields.
	Time            string          `json:"time"`
	ResourceID      string          `json:"resourceId"`
	OperationName   valueString     `json:"operationName"`
	Category        valueString     `json:"category"`
	ResultType      string          `json:"resultType"`
	CallerIPAddress string          `json:"callerIpAddress"`
	Identity        flex[identity]  `json:"identity"`
	Properties      *signInFields   `json:"properties"`
	PropertiesLA    ignored         `json:"Properties"` // Log Analytics: a JSON string we do not need
	Location        location        `json:"location"`
	TenantID        string          `json:"tenantId"`
	WorkspaceID     ignored         `json:"TenantId"` // Log Analytics: the workspace, not the Entra tenant
	Envelope        envelope        `json:"records"`
	Value           envelope        `json:"value"`
	SubscriptionID  string          `json:"subscriptionId"`
	Caller          string          `json:"caller"`
	EventDataID     string          `json:"eventDataId"`
	CorrelationID   valueString     `json:"correlationId"` // for content keys only
	EventTimestamp  string          `json:"eventTimestamp"`
	HTTPRequest     flex[httpReq]   `json:"httpRequest"`
	Authorization   flex[authz]     `json:"authorization"`
	Claims          flex[claims]    `json:"claims"`
	Status          status          `json:"status"`
	LocationDetails flex[geoDetail] `json:"LocationDetails"`

	// Log Analytics (Sentinel) table columns.
	TimeGenerated       string   `json:"TimeGenerated"`
	AADTenantID         string   `json:"AADTenantId"`
	OperationNameValue  string   `json:"OperationNameValue"`
	CategoryValue       string   `json:"CategoryValue"`
	ActivityStatusValue string   `json:"ActivityStatusValue"`
	ActivityStatus      string   `json:"ActivityStatus"`
	ResourceIdentity    string   `json:"ResourceIdentity"`
	ResourceIDLA        string   `json:"_ResourceId"`
	AuthStepTime        string   `json:"-"` // CSV only: first authentication step, when a row has no time column
	Latitude            *float64 `json:"Latitude"`
	Longitude           *float64 `json:"Longitude"`

	// Sign-in fields at top level: Microsoft Graph signIn and Log Analytics.
	signInFields

	// AWS CloudTrail.
	EventTime          string        `json:"eventTime"`
	Timestamp          string        `json:"@timestamp"` // Logstash-shipped CloudTrail drops eventTime for it
	EventID            string        `json:"eventID"`
	EventSource        string        `json:"eventSource"`
	EventName          valueString   `json:"eventName"` // an object in ARM REST records
	EventType          string        `json:"eventType"`
	SourceIPAddress    string        `json:"sourceIPAddress"`
	RecipientAccountID string        `json:"recipientAccountId"`
	ErrorCode          string        `json:"errorCode"`
	UserIdentity       *awsIdentity  `json:"userIdentity"`
	ResponseElements   *awsResponse  `json:"responseElements"`
	Resources          []awsResource `json:"resources"`
}

// signInFields are the properties of an Entra sign-in, in the
// diagnostic-settings "properties" object or at top level.
type signInFields struct {
	ID                  string `json:"id"`
	CreatedDateTime     string `json:"createdDateTime"`
	UserPrincipalName   string `json:"userPrincipalName"`
	UserID              string `json:"userId"`
	UserDisplayName     string `json:"userDisplayName"`
	AppID               string `json:"appId"`
	AppDisplayName      string `json:"appDisplayName"`
	IPAddress           string `json:"ipAddress"`
	UserAgent           string `json:"userAgent"`
	IsInteractive       *bool  `json:"isInteractive"`
	ServicePrincipalID  string `json:"servicePrincipalId"`
	ServicePrincipal    string `json:"servicePrincipalName"`
	ResourceTenantID    string `json:"resourceTenantId"`
	HomeTenantID        string `json:"homeTenantId"`
	ResourceDisplayName string `json:"resourceDisplayName"`
	// Properties only: the diagnostic envelope has its own of these.
	Status   *status   `json:"status"`
	Location *location `json:"location"`
	Resource string    `json:"resourceId"`
	// ARM properties, for content keys only. valueString takes any JSON
	// type, so resource logs that type them otherwise still decode.
	StatusCode       valueString `json:"statusCode"`
	PropsEventDataID valueString `json:"eventDataId"` // at top level, EventDataID takes the key
	// ARM properties: the request and response bodies, JSON text in a
	// string. Kept as the raw literal (the fast decoder borrows it) and
	// unquoted only for the operations whose body an event keeps.
	RequestBody  json.RawMessage `json:"requestbody"`
	ResponseBody json.RawMessage `json:"responseBody"`

	// Entra audit log entry: in "properties" (diagnostic settings), at
	// top level (Graph directoryAudit, Log Analytics AuditLogs, where the
	// nested columns are JSON strings).
	AuditCategory       valueString           `json:"category"` // at top level, Category takes the key
	Result              string                `json:"result"`
	ActivityDisplayName string                `json:"activityDisplayName"`
	ActivityDateTime    string                `json:"activityDateTime"`
	InitiatedBy         flex[initiatedBy]     `json:"initiatedBy"`
	TargetResources     flexList[auditTarget] `json:"targetResources"`
	AdditionalDetails   flexList[keyValue]    `json:"additionalDetails"`
}

// initiatedBy is who made a directory change: a user or an application.
type initiatedBy struct {
	User auditUser `json:"user"`
	App  auditApp  `json:"app"`
}

type auditUser struct {
	ID                string `json:"id"`
	DisplayName       string `json:"displayName"`
	UserPrincipalName string `json:"userPrincipalName"`
	IPAddress         string `json:"ipAddress"`
}

type auditApp struct {
	AppID                string `json:"appId"`
	DisplayName          string `json:"displayName"`
	ServicePrincipalID   string `json:"servicePrincipalId"`
	ServicePrincipalName string `json:"servicePrincipalName"`
}

// auditTarget is an object a directory change was made to.
type auditTarget struct {
	ID                 string         `json:"id"`
	DisplayName        string         `json:"displayName"`
	Type               string         `json:"type"`
	UserPrincipalName  string         `json:"userPrincipalName"`
	ModifiedProperties []modifiedProp `json:"modifiedProperties"`
}

// modifiedProp is one changed property; its values are JSON text.
type modifiedProp struct {
	DisplayName string `json:"displayName"`
	OldValue    string `json:"oldValue"`
	NewValue    string `json:"newValue"`
}

// keyValue is an entry of additionalDetails.
type keyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

type geoDetail struct {
	City            string  `json:"city"`
	State           string  `json:"state"`
	CountryOrRegion string  `json:"countryOrRegion"`
	GeoCoordinates  *latLon `json:"geoCoordinates"`
}

// latLon is a pair of coordinates; a null or absent half (Entra writes
// "latitude": null when it has no fix) leaves the pair missing, never (0, lon).
type latLon struct {
	Latitude  *float64 `json:"latitude"`
	Longitude *float64 `json:"longitude"`
}

type identity struct {
	Authorization authz  `json:"authorization"`
	Claims        claims `json:"claims"`
}

type authz struct {
	Action   string `json:"action"`
	Evidence struct {
		PrincipalID   string `json:"principalId"`
		PrincipalType string `json:"principalType"`
	} `json:"evidence"`
}

type httpReq struct {
	ClientIPAddress string `json:"clientIpAddress"`
}

// claims are the token claims ARM logs for the caller.
type claims struct {
	UPN         string `json:"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"`
	UPNShort    string `json:"upn"`
	ObjectID    string `json:"http://schemas.microsoft.com/identity/claims/objectidentifier"`
	OID         string `json:"oid"`
	TenantID    string `json:"http://schemas.microsoft.com/identity/claims/tenantid"`
	TID         string `json:"tid"`
	AppID       string `json:"appid"`
	IDType      string `json:"idtyp"`
	Name        string `json:"name"`
	MIResource  string `json:"xms_mirid"`
	IPAddr      string `json:"ipaddr"`
	NameClaim   string `json:"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"`
	GivenName   string `json:"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"`
	Surname     string `json:"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"`
	AuthMethods string `json:"http://schemas.microsoft.com/claims/authnmethodsreferences"`
}

type awsIdentity struct {
	Type           string `json:"type"`
	PrincipalID    string `json:"principalId"`
	ARN            string `json:"arn"`
	AccountID      string `json:"accountId"`
	UserName       string `json:"userName"`
	InvokedBy      string `json:"invokedBy"`
	SessionContext *struct {
		SessionIssuer struct {
			Type     string `json:"type"`
			UserName string `json:"userName"`
			ARN      string `json:"arn"`
		} `json:"sessionIssuer"`
	} `json:"sessionContext"`
}

type awsResponse struct {
	ConsoleLogin string `json:"ConsoleLogin"`
}

type awsResource struct {
	ARN string `json:"ARN"`
}
