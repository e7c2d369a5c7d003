/// Manifests the kubectl tests apply, written as users write them.
enum Manifests {
    static let widgetCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names:
            plural: widgets
            singular: widget
            kind: Widget
            shortNames: [wdg]
          versions:
          - name: v1
            served: true
            storage: true
            subresources:
              status: {}
            additionalPrinterColumns:
            - name: Size
              type: integer
              jsonPath: .spec.size
            - name: Color
              type: string
              jsonPath: .spec.color
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      size:
                        type: integer
                        minimum: 1
                      color:
                        type: string
                  status:
                    type: object
                    properties:
                      conditions:
                        type: array
                        items:
                          type: object
                          properties:
                            type: {type: string}
                            status: {type: string}
                            reason: {type: string}
        """

    static func widget(_ name: String, size: Int, color: String) -> String {
        """
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: \(name)
        spec:
          size: \(size)
          color: \(color)
        """
    }

    static func deployment(_ name: String, image: String, env: [(String, String)]) -> String {
        let envLines = env.map { "            - name: \($0.0)\n              value: \"\($0.1)\"" }.joined(separator: "\n")
        return """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: \(name)
              labels:
                app: \(name)
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: \(name)
              template:
                metadata:
                  labels:
                    app: \(name)
                spec:
                  containers:
                  - name: web
                    image: \(image)
                    ports:
                    - containerPort: 8080
                    env:
            \(envLines)
            """
    }

    static func ownedConfigMap(_ name: String, ownerKind: String, ownerName: String, ownerUID: String) -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: \(name)
          ownerReferences:
          - apiVersion: apps/v1
            kind: \(ownerKind)
            name: \(ownerName)
            uid: \(ownerUID)
        data:
          owned: "yes"
        """
    }
}
